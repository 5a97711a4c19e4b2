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
