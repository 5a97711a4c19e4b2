import { expect } from '@open-wc/testing';

import type { McCanvas } from '../../shell/elements/mc-canvas.ts';
import { MIN_SLOT_HEIGHT_PX, MIN_SLOT_WIDTH_PX } from '../../shell/layout/geometry.ts';
import { cleanup, createCanvas, drivenManifest, waitForStatus } from '../helpers/canvas.ts';

/**
 * The host-drawn chrome of a slot as a person sees it: the app name (security UI: the only
 * thing that tells the user which app a frame is) readable in every state at every width
 * the editor allows (issue 14, item 10).
 */

/** An editable canvas (its tools take room from the header) with one slot of an unavailable app. */
async function errorSlot(
  name: string,
  width: number,
): Promise<{ canvas: McCanvas; slotId: string }> {
  const canvas = createCanvas();
  canvas.style.width = '900px';
  canvas.editable = true;
  canvas.host.register(drivenManifest('alpha', { name }));
  canvas.host.setAvailable('alpha', false);
  const slotId = canvas.mount({ app: 'alpha', x: 0, y: 0, width, height: MIN_SLOT_HEIGHT_PX });
  await waitForStatus(canvas, slotId, 'error');
  await canvas.frame(slotId)!.updateComplete;
  return { canvas, slotId };
}

/** An editable canvas with A at (0, 0) and B over A's right part (x 200–500): B is on top. */
async function overlapping(): Promise<{ canvas: McCanvas; a: string; b: string }> {
  const canvas = createCanvas();
  canvas.style.width = '900px';
  canvas.editable = true;
  canvas.host.register(drivenManifest('alpha', { name: 'Alpha' }));
  canvas.host.register(drivenManifest('beta', { name: 'Beta' }));
  const a = canvas.mount({ app: 'alpha', x: 0, y: 0, width: 300, height: 200 });
  const b = canvas.mount({ app: 'beta', x: 200, y: 0, width: 300, height: 200 });
  await canvas.updateComplete;
  return { canvas, a, b };
}

/** A host control of a slot (grip, remove, resize corner). */
function control(
  canvas: McCanvas,
  slotId: string,
  which: 'grip' | 'remove' | 'resize',
): HTMLElement {
  return canvas.renderRoot.querySelector<HTMLElement>(`.slot[data-slot-id="${slotId}"] .${which}`)!;
}

/** The slot the pointer would hit at the centre of `el`, and whether it hits `el` itself. */
function hitAt(canvas: McCanvas, el: HTMLElement): { slot: string | undefined; self: boolean } {
  const box = el.getBoundingClientRect();
  const x = box.left + box.width / 2;
  const y = box.top + box.height / 2;
  const root = canvas.renderRoot as ShadowRoot;
  const hit = root.elementFromPoint(x, y);
  // The whole stack at that point, topmost first: the control may be there, under the top.
  const stack = root.elementsFromPoint(x, y);
  expect(stack[0]).to.equal(hit);
  return { slot: hit?.closest<HTMLElement>('.slot')?.dataset.slotId, self: hit === el };
}

function order(canvas: McCanvas): string[] {
  return canvas.layout.map((s) => s.slotId);
}

function inside(inner: DOMRect, outer: DOMRect): boolean {
  return (
    inner.left >= outer.left - 0.5 &&
    inner.right <= outer.right + 0.5 &&
    inner.top >= outer.top - 0.5 &&
    inner.bottom <= outer.bottom + 0.5
  );
}

function intersects(a: DOMRect, b: DOMRect): boolean {
  return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
}

/** Every line box of the name's text: inside the slot, clear of the edit tools, not clipped. */
function expectNameReadable(canvas: McCanvas, slotId: string, name: string): void {
  const frame = canvas.frame(slotId)!;
  const el = frame.renderRoot.querySelector<HTMLElement>('.name')!;
  expect(el.textContent).to.equal(name);
  expect(el.scrollWidth, 'name not cut sideways').to.be.at.most(el.clientWidth);
  expect(el.scrollHeight, 'name not cut downwards').to.be.at.most(el.clientHeight);
  const range = document.createRange();
  range.selectNodeContents(el);
  const lines = [...range.getClientRects()].filter((r) => r.width > 0);
  expect(lines.length).to.be.greaterThan(0);
  const slot = frame.getBoundingClientRect();
  const nameBox = el.getBoundingClientRect();
  const tools = canvas.renderRoot.querySelector(`.slot[data-slot-id="${slotId}"] .tools`)!;
  for (const line of lines) {
    expect(inside(line, slot), 'text inside the slot').to.equal(true);
    expect(inside(line, nameBox), 'text inside its (unclipped) box').to.equal(true);
    expect(intersects(line, tools.getBoundingClientRect()), 'text clear of the tools').to.equal(
      false,
    );
  }
  // What is on top at the middle of the name is the name itself (nothing painted over it).
  const mid = lines[0]!;
  const hit = frame.renderRoot as ShadowRoot;
  expect(hit.elementFromPoint(mid.left + mid.width / 2, mid.top + mid.height / 2)).to.equal(el);
}

describe('<mc-canvas> slot chrome', () => {
  afterEach(cleanup);

  it("keeps an erroring slot's app name fully readable at the minimum slot width", async () => {
    const { canvas, slotId } = await errorSlot('Grocery list', MIN_SLOT_WIDTH_PX);
    expect(canvas.frame(slotId)!.renderRoot.querySelector('.status')!.textContent).to.match(
      /^error: /,
    );
    expectNameReadable(canvas, slotId, 'Grocery list');
  });

  it('wraps a long app name rather than cutting it, at the minimum width', async () => {
    const name = 'Quarterly revenue forecast';
    const { canvas, slotId } = await errorSlot(name, MIN_SLOT_WIDTH_PX);
    expectNameReadable(canvas, slotId, name);
  });

  it('shows the name on one line beside the status when there is room', async () => {
    const { canvas, slotId } = await errorSlot('Grocery list', 600);
    expectNameReadable(canvas, slotId, 'Grocery list');
    const el = canvas.frame(slotId)!.renderRoot.querySelector<HTMLElement>('.name')!;
    const range = document.createRange();
    range.selectNodeContents(el);
    expect([...range.getClientRects()].filter((r) => r.width > 0)).to.have.length(1);
  });
});

describe('<mc-canvas> overlapping slots', () => {
  afterEach(cleanup);

  it("never lets a covered slot's controls take the pointer through the slot over it", async () => {
    const { canvas, a, b } = await overlapping();
    expect(order(canvas)).to.deep.equal([a, b]);
    for (const which of ['grip', 'remove', 'resize'] as const) {
      // A's controls lie inside B's box, and B (later in the layout) is on top: B is hit.
      expect(hitAt(canvas, control(canvas, a, which)), `A's ${which}`).to.deep.equal({
        slot: b,
        self: false,
      });
      // Positive control: B's own controls, uncovered, are hit.
      expect(hitAt(canvas, control(canvas, b, which)), `B's ${which}`).to.deep.equal({
        slot: b,
        self: true,
      });
    }
  });

  it('brings a focused slot to the front without reloading any frame, and saves the order', async () => {
    const { canvas, a, b } = await overlapping();
    const iframes = [a, b].map((id) => canvas.frame(id)!.renderRoot.querySelector('iframe'));
    const seen: string[] = [];
    canvas.addEventListener('mc-layout-change', (e) => seen.push(`${e.reason} ${e.slotId}`));
    canvas.focusSlot(a);
    await canvas.updateComplete;
    expect(seen).to.deep.equal([`raise ${a}`]);
    expect(order(canvas)).to.deep.equal([b, a]);
    for (const which of ['grip', 'remove', 'resize'] as const) {
      expect(hitAt(canvas, control(canvas, a, which)), `A's ${which}`).to.deep.equal({
        slot: a,
        self: true,
      });
    }
    // The DOM order did not change (an iframe moved in the DOM reloads): same iframes.
    expect([a, b].map((id) => canvas.frame(id)!.renderRoot.querySelector('iframe'))).to.deep.equal(
      iframes,
    );
    expect(
      [...canvas.renderRoot.querySelectorAll<HTMLElement>('.slot')].map((s) => s.dataset.slotId),
    ).to.deep.equal([a, b]);
  });

  it('brings a slot to the front when a person starts moving it', async () => {
    const { canvas, a, b } = await overlapping();
    canvas.focusSlot(a);
    await canvas.updateComplete;
    expect(order(canvas)).to.deep.equal([b, a]);
    // B's grip is uncovered; pressing it starts a move of B, which comes to the front.
    const grip = control(canvas, b, 'grip');
    const box = grip.getBoundingClientRect();
    const at = { clientX: box.left + 5, clientY: box.top + 5, pointerId: 9, button: 0 };
    const options = { ...at, bubbles: true, composed: true, cancelable: true, isPrimary: true };
    grip.dispatchEvent(new PointerEvent('pointerdown', options));
    await canvas.updateComplete;
    expect(order(canvas)).to.deep.equal([a, b]);
    window.dispatchEvent(new PointerEvent('pointerup', options));
    await canvas.updateComplete;
    expect(hitAt(canvas, control(canvas, a, 'grip')).slot).to.equal(b);
  });

  it('does not raise a slot whose widget focuses its own frame', async () => {
    const { canvas, a, b } = await overlapping();
    const iframe = canvas.frame(a)!.renderRoot.querySelector('iframe')!;
    iframe.dispatchEvent(new FocusEvent('focusin', { bubbles: true, composed: true }));
    await canvas.updateComplete;
    expect(order(canvas)).to.deep.equal([a, b]);
    // Positive control: the same event from a host-drawn part raises it.
    control(canvas, a, 'grip').dispatchEvent(
      new FocusEvent('focusin', { bubbles: true, composed: true }),
    );
    expect(order(canvas)).to.deep.equal([b, a]);
  });
});
