import { expect } from '@open-wc/testing';

import type { McCanvas } from '../../shell/elements/mc-canvas.ts';
import type { McAppResizedEvent } from '../../shell/elements/service-events.ts';
import { callOnce, callService, mountServices } from '../fixtures/services-harness.ts';
import { cleanup, command, createCanvas } from '../helpers/canvas.ts';

const CONTENT_HEIGHT = { height: { mode: 'content', min: 50 } } as const;

/** Records every applied size with the number of the animation frame it landed in. */
function recordResizes(canvas: McCanvas, slot: string) {
  const frame = canvas.frame(slot)!;
  let frames = 0;
  let running = true;
  const tick = () => {
    frames++;
    if (running) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  const applied: Array<{ height: number | undefined; frame: number }> = [];
  const waiters: Array<() => void> = [];
  frame.addEventListener('mc-app-resized', (e: McAppResizedEvent) => {
    applied.push({ height: e.height, frame: frames });
    waiters.splice(0).forEach((w) => w());
  });
  return {
    applied,
    stop: () => (running = false),
    /** Resolves with the first applied height that `accept` takes (already applied or next). */
    async until(accept: (height: number) => boolean): Promise<number> {
      for (;;) {
        const hit = applied.find((a) => a.height !== undefined && accept(a.height));
        if (hit) return hit.height!;
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
    },
  };
}

function iframeOf(canvas: McCanvas, slot: string): HTMLIFrameElement {
  return canvas.frame(slot)!.renderRoot.querySelector('iframe')!;
}

describe('Host services: resize', () => {
  afterEach(cleanup);

  it('follows the content on a content-driven axis, clamped to [min, slot box]', async () => {
    const canvas = createCanvas();
    const slot = await mountServices(canvas, 'alpha', { size: CONTENT_HEIGHT });
    const frame = canvas.frame(slot)!;
    const resizes = recordResizes(canvas, slot);
    const maxHeight = frame.surface.bounds().height;
    command(canvas.host, slot, { cmd: 'auto-resize', height: 'content' });
    const first = await resizes.until(() => true);
    expect(first).to.be.below(150);
    command(canvas.host, slot, { cmd: 'content', height: 140 });
    const grown = await resizes.until((h) => h >= first + 100);
    expect(grown).to.equal(first + 100);
    await frame.updateComplete;
    expect(iframeOf(canvas, slot).getBoundingClientRect().height).to.equal(grown);
    // Far more than the slot: the frame stops at the slot's box, never outside it.
    command(canvas.host, slot, { cmd: 'content', height: 99_999 });
    expect(await resizes.until((h) => h > grown)).to.equal(maxHeight);
    await frame.updateComplete;
    const box = frame.getBoundingClientRect();
    const iframeBox = iframeOf(canvas, slot).getBoundingClientRect();
    expect(iframeBox.bottom).to.be.at.most(box.bottom);
    // Nothing at all: the manifest's minimum.
    command(canvas.host, slot, { cmd: 'content', height: 0 });
    expect(await resizes.until((h) => h < first)).to.be.at.least(50);
    // The width is fixed by the manifest and keeps filling the slot.
    expect(iframeBox.width).to.equal(frame.clientWidth);
    resizes.stop();
  });

  it('ignores requests on a fixed axis and refuses junk sizes', async () => {
    const canvas = createCanvas();
    const slot = await mountServices(canvas, 'alpha', { size: CONTENT_HEIGHT });
    const max = canvas.frame(slot)!.surface.bounds().height;
    expect(
      await callOnce(canvas, 'alpha', slot, 'resize', [{ width: 10, height: 99_999 }]),
    ).to.deep.equal({
      value: { height: max, frozen: false },
    });
    for (const junk of [
      [],
      [null],
      [{ height: -1 }],
      [{ height: 100_001 }],
      [{ height: '100' }],
      [{ height: { $nan: 1 } }],
      [{ height: 10, top: 0 }],
    ]) {
      const outcome = await callOnce(canvas, 'alpha', slot, 'resize', junk);
      expect(outcome, JSON.stringify(junk)).to.have.nested.property(
        'error.code',
        'INVALID_ARGUMENT',
      );
    }
  });

  it('on fixed-size manifests leaves the frame alone', async () => {
    const canvas = createCanvas();
    const slot = await mountServices(canvas, 'alpha');
    const before = iframeOf(canvas, slot).getBoundingClientRect();
    expect(
      await callOnce(canvas, 'alpha', slot, 'resize', [{ width: 20, height: 20 }]),
    ).to.deep.equal({
      value: { frozen: false },
    });
    const after = iframeOf(canvas, slot).getBoundingClientRect();
    expect([after.width, after.height]).to.deep.equal([before.width, before.height]);
  });

  it('applies at most one size per animation frame and rate-limits a flood (RES-4)', async () => {
    const canvas = createCanvas();
    const slot = await mountServices(canvas, 'alpha', { size: CONTENT_HEIGHT });
    const resizes = recordResizes(canvas, slot);
    // 200 different sizes in one turn: the burst is accepted, the rest refused.
    const args = [{ height: 120 }];
    const report = await callService(canvas, 'alpha', slot, 'resize', args, 200);
    expect(report.codes.RATE_LIMITED).to.be.at.least(100);
    await resizes.until((h) => h === 120);
    const frames = resizes.applied.map((a) => a.frame);
    expect(new Set(frames).size).to.equal(frames.length);
    resizes.stop();
  });

  it('freezes a resize feedback loop instead of following it (RES-4)', async () => {
    const canvas = createCanvas();
    const slot = await mountServices(canvas, 'alpha', { size: CONTENT_HEIGHT });
    const frame = canvas.frame(slot)!;
    const resizes = recordResizes(canvas, slot);
    const frozen = new Promise((resolve) => frame.addEventListener('mc-resize-frozen', resolve));
    command(canvas.host, slot, { cmd: 'oscillate' });
    await frozen;
    const count = resizes.applied.length;
    const heights = resizes.applied.map((a) => a.height!);
    // Frozen at the larger of the two sizes it flipped between, so all the content shows.
    const last = heights.at(-1)!;
    expect(last).to.equal(Math.max(...heights.slice(-3)));
    // Each applied size landed in a frame of its own.
    const frames = resizes.applied.map((a) => a.frame);
    expect(new Set(frames).size).to.equal(frames.length);
    // The widget keeps asking; nothing more is applied, and it is told resizing is frozen.
    expect(await callOnce(canvas, 'alpha', slot, 'resize', [{ height: 77 }])).to.deep.equal({
      value: { height: last, frozen: true },
    });
    await frame.updateComplete;
    expect(resizes.applied.length).to.equal(count);
    expect(iframeOf(canvas, slot).getBoundingClientRect().height).to.equal(last);
    resizes.stop();
  });
});
