import { expect } from '@open-wc/testing';

import { Heartbeat } from '../../shell/frames/heartbeat.ts';

const INTERVAL_MS = 40;

/** Makes the page report itself hidden or visible, as a backgrounded tab would. */
function setVisibility(state: 'hidden' | 'visible'): void {
  Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => state });
  document.dispatchEvent(new Event('visibilitychange'));
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('Heartbeat', () => {
  let slot: HTMLElement;
  let heartbeat: Heartbeat | undefined;

  beforeEach(() => {
    slot = document.createElement('div');
    slot.style.cssText = 'width: 50px; height: 50px;';
    document.body.append(slot);
  });

  afterEach(() => {
    heartbeat?.stop();
    slot.remove();
    setVisibility('visible');
  });

  it('declares a silent widget unresponsive after the missed beats, and responsive again', async () => {
    let answering = false;
    const verdicts: boolean[] = [];
    heartbeat = new Heartbeat(
      () => (answering ? Promise.resolve('pong') : Promise.reject(new Error('timeout'))),
      (responsive) => verdicts.push(responsive),
      INTERVAL_MS,
      3,
    );
    heartbeat.start(slot);
    while (verdicts.length === 0) await wait(INTERVAL_MS);
    expect(verdicts).to.deep.equal([false]);
    answering = true;
    while (verdicts.length === 1) await wait(INTERVAL_MS);
    expect(verdicts).to.deep.equal([false, true]);
  });

  it('REL-5: draws no verdict while the page is hidden, and resumes when it is shown', async () => {
    const verdicts: boolean[] = [];
    let beats = 0;
    heartbeat = new Heartbeat(
      () => {
        beats++;
        return Promise.reject(new Error('timeout'));
      },
      (responsive) => verdicts.push(responsive),
      INTERVAL_MS,
      3,
    );
    setVisibility('hidden');
    heartbeat.start(slot);
    await wait(INTERVAL_MS * 10);
    expect(heartbeat.active).to.equal(false);
    expect(beats).to.equal(0);
    expect(verdicts).to.deep.equal([]);
    setVisibility('visible');
    expect(heartbeat.active).to.equal(true);
    while (verdicts.length === 0) await wait(INTERVAL_MS);
    expect(verdicts).to.deep.equal([false]);
  });

  it('REL-5: pauses while the slot is off-screen', async () => {
    slot.style.cssText = 'position: absolute; top: -10000px; width: 50px; height: 50px;';
    const verdicts: boolean[] = [];
    heartbeat = new Heartbeat(
      () => Promise.reject(new Error('timeout')),
      (responsive) => verdicts.push(responsive),
      INTERVAL_MS,
      3,
    );
    heartbeat.start(slot);
    await wait(INTERVAL_MS * 10);
    expect(heartbeat.active).to.equal(false);
    expect(verdicts).to.deep.equal([]);
    slot.style.top = '0';
    while (verdicts.length === 0) await wait(INTERVAL_MS);
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
    );
    heartbeat.start(slot);
    await wait(INTERVAL_MS * 3);
    heartbeat.stop();
    const after = beats;
    await wait(INTERVAL_MS * 4);
    expect(beats).to.equal(after);
    expect(heartbeat.active).to.equal(false);
  });
});
