import { expect } from '@open-wc/testing';

import type { McCanvas } from '../../shell/elements/mc-canvas.ts';
import { cleanup, createCanvas, fixtureUrl } from '../helpers/canvas.ts';

/**
 * 1,000 cycles in Chromium (the figure THREATS.md sets). Firefox and WebKitGTK run 200
 * (about 25 s each): 1,000 would add some 100 s per engine to a suite that is already over
 * its ten minutes on two cores, to check the same counters (neither exposes the heap).
 * Stated here and in docs/engines.md, not skipped.
 */
const CYCLES = navigator.userAgent.includes('Chrome/') ? 1000 : 200;
const PARALLEL = 25;
/** Longer than a connect deadline (10 s), so a slot that fails says so first. */
const CYCLE_TIMEOUT_MS = 30_000;

/** Heap of the host page after a full collection, where the engine exposes both. */
async function heap(): Promise<number | null> {
  const { gc } = window as { gc?: () => void };
  const memory = (performance as { memory?: { usedJSHeapSize: number } }).memory;
  if (!gc || !memory) return null;
  // Removed cross-process frames and timed-out calls are released over the next second or
  // so; the smallest of several collected readings is the heap that is really retained.
  let least = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 8; i++) {
    gc();
    least = Math.min(least, memory.usedJSHeapSize);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return least;
}

/**
 * Mounts `count` widgets at once, waits until all are connected, unmounts them. With
 * `refs`, keeps weak references to each slot's element and iframe, to prove they are freed.
 */
async function cycle(canvas: McCanvas, count: number, refs?: WeakRef<object>[]): Promise<void> {
  const slots = new Set<string>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const connected = new Promise<void>((resolve, reject) => {
    const onConnected = (event: Event) => {
      slots.delete((event as { slotId?: string }).slotId ?? '');
      if (slots.size === 0) {
        clearTimeout(timer);
        canvas.removeEventListener('mc-app-connected', onConnected);
        resolve();
      }
    };
    canvas.addEventListener('mc-app-connected', onConnected);
    // A cycle never waits forever: name the slots that did not connect, with their status.
    timer = setTimeout(() => {
      canvas.removeEventListener('mc-app-connected', onConnected);
      const states = [...slots].map((id) => `${id}: ${JSON.stringify(canvas.frame(id)?.status)}`);
      reject(new Error(`not connected within ${CYCLE_TIMEOUT_MS} ms: ${states.join('; ')}`));
    }, CYCLE_TIMEOUT_MS);
  });
  for (let i = 0; i < count; i++) {
    slots.add(
      canvas.mount({
        app: 'mini',
        x: (i % 5) * 60,
        y: Math.floor(i / 5) * 60,
        width: 50,
        height: 50,
      }),
    );
  }
  const ids = [...slots];
  await connected;
  for (const id of ids) {
    const frame = canvas.frame(id);
    const iframe = frame?.renderRoot.querySelector('iframe');
    if (refs && frame && iframe) refs.push(new WeakRef(frame), new WeakRef(iframe));
  }
  // Each unmount tells its widget first (teardown notice, at most the grace): a cycle ends
  // when every slot of it is gone, not when the removals were asked for.
  await Promise.all(ids.map((id) => canvas.unmount(id)));
  await canvas.updateComplete;
}

describe('teardown soak', function () {
  this.timeout(600_000);
  afterEach(cleanup);

  it(`returns ports, sessions and pending calls to baseline after ${CYCLES} mount/unmount cycles`, async () => {
    const canvas = createCanvas();
    canvas.host.register({ id: 'mini', name: 'Mini', url: fixtureUrl('bundled/minimal.html') });
    // Warm up until code and caches are settled: the baseline is the steady state.
    for (let i = 0; i < 4; i++) await cycle(canvas, PARALLEL);
    const baseline = await heap();
    const refs: WeakRef<object>[] = [];
    for (let done = 0; done < CYCLES; done += PARALLEL) {
      await cycle(canvas, PARALLEL, done === PARALLEL * 4 ? refs : undefined);
    }
    let counters = await canvas.host.counters();
    for (let i = 0; i < 100 && counters.ports !== 1; i++) counters = await canvas.host.counters();
    expect(counters).to.deep.equal({ ports: 1, sessions: 0, pendingCalls: 0 });
    expect(canvas.renderRoot.querySelectorAll('mc-frame')).to.have.length(0);
    expect(refs).to.have.length(PARALLEL * 2);
    let after = await heap();
    // Only Chromium exposes gc() and performance.memory; elsewhere the counters above and the
    // freed slots below are the whole check (stated, not skipped).
    if (baseline !== null && after !== null) {
      // Calls that were in flight at the last unmount (heartbeats, handshakes of frames that
      // were removed while loading) hold their closures until their own deadlines pass.
      for (let i = 0; i < 3 && after > baseline * 1.1; i++) {
        await new Promise((resolve) => setTimeout(resolve, 5000));
        after = (await heap()) ?? after;
      }
      console.log(`soak heap ${baseline} → ${after} (${(after / baseline).toFixed(2)}×)`);
      expect(after / baseline, `heap ${baseline} → ${after}`).to.be.at.most(1.1);
      // Every slot element and iframe of a cycle mid-run was collected: nothing keeps them.
      expect(refs.filter((ref) => ref.deref() !== undefined)).to.have.length(0);
    }
  });
});
