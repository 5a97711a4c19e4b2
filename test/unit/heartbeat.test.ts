import { expect, waitUntil } from '@open-wc/testing';

import { Heartbeat } from '../../shell/frames/heartbeat.ts';
import { FakeClock } from '../helpers/fake-clock.ts';

const INTERVAL_MS = 1000;
const MISSES = 3;

/** Makes the page report itself hidden or visible, as a backgrounded tab would. */
function setVisibility(state: 'hidden' | 'visible'): void {
  Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => state });
  document.dispatchEvent(new Event('visibilitychange'));
}

/**
 * Resolves with whether `element` is on screen once an observer created now has its first
 * report: proof that the slot really is off-screen. The heartbeat starts with the slot counted
 * off-screen until its own observer reports, so a pause seen before that report holds too.
 */
function observed(element: Element): Promise<boolean> {
  return new Promise((resolve) => {
    const observer = new IntersectionObserver((entries) => {
      observer.disconnect();
      resolve(entries.at(-1)!.isIntersecting);
    });
    observer.observe(element);
  });
}

describe('Heartbeat', () => {
  let slot: HTMLElement;
  let clock: FakeClock;
  let heartbeat: Heartbeat | undefined;

  beforeEach(() => {
    slot = document.createElement('div');
    slot.style.cssText = 'width: 50px; height: 50px;';
    document.body.append(slot);
    clock = new FakeClock();
  });

  afterEach(() => {
    heartbeat?.stop();
    slot.remove();
    setVisibility('visible');
  });

  it('declares a silent widget unresponsive after the missed beats, and responsive again', async () => {
    let answering = false;
    let beats = 0;
    const verdicts: boolean[] = [];
    heartbeat = new Heartbeat(
      () => (beats++, answering ? Promise.resolve('pong') : Promise.reject(new Error('timeout'))),
      (responsive) => verdicts.push(responsive),
      INTERVAL_MS,
      MISSES,
      clock,
    );
    heartbeat.start(slot);
    await waitUntil(() => heartbeat!.active, 'the heartbeat never saw its slot on screen');
    await clock.advance(INTERVAL_MS * (MISSES - 1));
    expect(beats).to.equal(MISSES - 1);
    expect(verdicts).to.deep.equal([], 'one miss short of the verdict');
    await clock.advance(INTERVAL_MS);
    expect(verdicts).to.deep.equal([false]);
    await clock.advance(INTERVAL_MS * 5);
    expect(verdicts).to.deep.equal([false], 'said once');
    answering = true;
    await clock.advance(INTERVAL_MS);
    expect(verdicts).to.deep.equal([false, true]);
  });

  it('REL-5: draws no verdict while the page is hidden, and resumes when it is shown', async () => {
    const verdicts: boolean[] = [];
    let beats = 0;
    let pauses = 0;
    heartbeat = new Heartbeat(
      (_timeoutMs, nextWithinMs) => {
        if (nextWithinMs === 0) pauses++;
        else beats++;
        return Promise.reject(new Error('timeout'));
      },
      (responsive) => verdicts.push(responsive),
      INTERVAL_MS,
      MISSES,
      clock,
    );
    heartbeat.start(slot);
    // Positive control: on screen and visible, it beats. Waiting on the heartbeat's own state
    // (not on a second observer's report) is what holds on a loaded machine.
    await waitUntil(() => heartbeat!.active, 'the heartbeat never saw its slot on screen');
    setVisibility('hidden');
    expect(heartbeat.active).to.equal(false);
    expect(pauses).to.equal(1, 'the widget is told that silence is a pause');
    await clock.advance(INTERVAL_MS * 10);
    expect(clock.running).to.equal(0);
    expect(beats).to.equal(0);
    expect(verdicts).to.deep.equal([]);
    setVisibility('visible');
    expect(heartbeat.active).to.equal(true);
    await clock.advance(INTERVAL_MS * MISSES);
    expect(beats).to.equal(MISSES);
    expect(verdicts).to.deep.equal([false]);
  });

  it('REL-5: pauses while the slot is off-screen', async () => {
    slot.style.cssText = 'position: absolute; top: -10000px; width: 50px; height: 50px;';
    const verdicts: boolean[] = [];
    heartbeat = new Heartbeat(
      () => Promise.reject(new Error('timeout')),
      (responsive) => verdicts.push(responsive),
      INTERVAL_MS,
      MISSES,
      clock,
    );
    heartbeat.start(slot);
    expect(await observed(slot)).to.equal(false);
    await clock.advance(INTERVAL_MS * 10);
    expect(heartbeat.active).to.equal(false);
    expect(verdicts).to.deep.equal([]);
    // A new observer makes WebKit compute intersections again; then wait on the heartbeat's own.
    const shown = observed(slot);
    slot.style.top = '0';
    expect(await shown).to.equal(true);
    await waitUntil(() => heartbeat!.active, 'the heartbeat never saw its slot come on screen', {
      timeout: 5000,
    });
    await clock.advance(INTERVAL_MS * MISSES);
    expect(verdicts).to.deep.equal([false]);
  });

  it('stops for good on stop()', async () => {
    let beats = 0;
    heartbeat = new Heartbeat(
      () => {
        beats++;
        return Promise.resolve('pong');
      },
      () => undefined,
      INTERVAL_MS,
      MISSES,
      clock,
    );
    heartbeat.start(slot);
    await waitUntil(() => heartbeat!.active, 'the heartbeat never saw its slot on screen');
    await clock.advance(INTERVAL_MS * 3);
    expect(beats).to.equal(3);
    heartbeat.stop();
    await clock.advance(INTERVAL_MS * 4);
    expect(beats).to.equal(3);
    expect(heartbeat.active).to.equal(false);
    expect(clock.running).to.equal(0);
  });
});
