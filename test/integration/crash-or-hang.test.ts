import { expect } from '@open-wc/testing';

import type { McAppStatusEvent } from '../../shell/elements/events.ts';
import type { FrameStatus } from '../../shell/frames/frame-session.ts';
import {
  cleanup,
  command,
  createCanvas,
  fixtureUrl,
  mountDriven,
  nextEvent,
  waitForStatus,
} from '../helpers/canvas.ts';

/** WebKitGTK runs cross-site frames on the host page's own thread (docs/engines.md). */
const FRAMES_ON_HOST_THREAD =
  navigator.userAgent.includes('AppleWebKit') && !navigator.userAgent.includes('Chrome/');

/** Every state one slot goes through, from now on. */
function states(canvas: HTMLElement, slotId: string): FrameStatus['state'][] {
  const seen: FrameStatus['state'][] = [];
  canvas.addEventListener('mc-app-status', (event: McAppStatusEvent) => {
    if (event.slotId === slotId) seen.push(event.status.state);
  });
  return seen;
}

describe('crash or hang (issue 14)', function () {
  this.timeout(60_000);
  // Firefox, in the full suite only (two of four runs on 2026-12-03, never alone): the
  // crashed slot was judged crashed twice and its remount ended in `error`. Open (issue 14);
  // one retry there, so that this flake is seen in the log and not taken for a pass.
  if (navigator.userAgent.includes('Firefox/')) this.retries(1);
  afterEach(cleanup);

  it('REL-1/REL-3: a busy widget whose pulse beats on is unresponsive; one whose pulse stopped too is crashed and remounted at once', async () => {
    // Beats every 250 ms: a verdict after ~750 ms instead of ~3 s.
    const canvas = createCanvas({ heartbeatIntervalMs: 250 });
    const { host } = canvas;
    // The spinner on a site of its own, so its busy process stalls no other widget.
    const hung = await mountDriven(canvas, 'hung', {
      url: fixtureUrl('driven.html?app=hung').replace('127.0.0.1', '127.0.0.4'),
    });
    const crashing = await mountDriven(canvas, 'crashing');
    const hungStates = states(canvas, hung);
    const crashingStates = states(canvas, crashing);
    const remounted = new Promise((resolve) =>
      canvas.addEventListener('mc-app-connected', resolve),
    );
    // A real busy loop where the frame has a thread of its own; in WebKitGTK (where a spin
    // would freeze this page and its heartbeat too) the same silence without the spin.
    command(host, hung, FRAMES_ON_HOST_THREAD ? { cmd: 'mute' } : { cmd: 'hang' });
    command(host, crashing, { cmd: 'mute', crash: true });
    // The positive control: silence plus a stopped pulse is a crash, remounted at once (a
    // new mount says `mc-app-connected` again, long before the 15 s backoff of a hang).
    await remounted;
    expect(crashingStates).to.include('crashed');
    expect(canvas.frame(crashing)!.status, crashingStates.join(' → ')).to.deep.equal({
      state: 'connected',
      epoch: 1,
    });
    expect(canvas.frame(crashing)!.epoch).to.equal(1);
    // In the same window (its silence began first) the busy widget, whose pulse Worker beat
    // on through the spin, was only unresponsive.
    expect(hungStates).to.include('unresponsive');
    expect(hungStates).to.not.include('crashed');
  });

  it('REL-3: a widget busy from its first moment, before its pulse Worker could start, is unresponsive, not crashed', async function () {
    // Its spin would freeze this page too, and the heartbeat with it (docs/engines.md).
    if (FRAMES_ON_HOST_THREAD) this.skip();
    const canvas = createCanvas({ heartbeatIntervalMs: 250 });
    const { host } = canvas;
    host.register({
      id: 'busy',
      name: 'Busy',
      // 3 s: over the 2 s of pulse silence that would mean a crash, were a silence from a
      // Worker that never started taken for one. A site of its own, as above.
      url: fixtureUrl('driven.html?app=busy&spin=3000').replace('127.0.0.1', '127.0.0.4'),
      publishes: ['busy.echo.*'],
      subscribes: ['host.test.cmd'],
    });
    const slotId = canvas.mount({ app: 'busy', x: 0, y: 0, width: 200, height: 120 });
    const seen = states(canvas, slotId);
    let connects = 0;
    canvas.addEventListener('mc-app-connected', () => connects++);
    // The fixture says ready after its spin, once its pulse Worker beats.
    await nextEvent(host, 'busy.echo.ready', () => true, 30_000);
    expect(seen, seen.join(' → ')).to.include('unresponsive');
    expect(seen, seen.join(' → ')).to.not.include('crashed');
    await waitForStatus(canvas, slotId, 'connected');
    expect(connects, 'the first mount only, never remounted').to.equal(1);
  });
});
