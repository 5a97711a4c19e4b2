import { expect } from '@open-wc/testing';

import type { McError } from '../../sdk/protocol/index.ts';
import type { McAppLifecycleEvent } from '../../shell/elements/events.ts';
import type { McBrokerRestartedEvent } from '../../shell/host/host-events.ts';
import {
  answering,
  cleanup,
  command,
  createCanvas,
  mountDriven,
  nextEvent,
} from '../helpers/canvas.ts';
import { spyOnWorkers, type WorkerSpy } from '../helpers/worker-spy.ts';

/** The name `BrokerLink` gives the broker's Worker. */
const BROKER_WORKER_NAME = 'microcanvas-broker';

describe('broker Worker failure', function () {
  this.timeout(60_000);
  let workers: WorkerSpy;
  beforeEach(() => {
    workers = spyOnWorkers();
  });
  afterEach(() => {
    workers.restore();
    cleanup();
  });

  it('detects a killed broker, restarts it from the host’s state, and widgets keep their sessions', async () => {
    // A killed Worker answers nothing: the watchdog's deadline is what detects it.
    const canvas = createCanvas({ brokerTimeoutMs: 5000 });
    const { host } = canvas;
    const alpha = await mountDriven(canvas, 'alpha', { publishes: ['alpha.note.*'] });
    const beta = await mountDriven(canvas, 'beta', {
      subscribes: ['alpha.note.*'],
      reads: ['alpha'],
    });
    command(host, alpha, { cmd: 'set', value: { open: 7 } });
    let state = await host.state.get('alpha');
    while (state.version === 0) state = await host.state.get('alpha');
    const hostSeen: unknown[] = [];
    await host.subscribe('alpha.note.*', (e) => hostSeen.push(e.data)).ready;

    // Revoked before the crash: the host replays it into the new broker (decision 0022).
    await host.revoke('beta', { read: 'alpha' });

    const restarted = new Promise<McBrokerRestartedEvent>((resolve) =>
      host.addEventListener('mc-broker-restarted', resolve, { once: true }),
    );
    const lifecycle: string[] = [];
    for (const type of ['mc-app-connected', 'mc-app-reconnected', 'mc-app-disconnected']) {
      canvas.addEventListener(type, (e) =>
        lifecycle.push(`${type} ${(e as McAppLifecycleEvent).appId}`),
      );
    }
    // Terminated from outside, as a crash would: nobody tells the host.
    workers.latest(BROKER_WORKER_NAME).terminate();
    // Comlink drops calls in flight when its proxy is released; the host's link must not.
    const inFlight = host.stats().then(
      () => 'answered',
      (error: McError) => `${error.code}: ${error.message}`,
    );
    expect((await restarted).restarts).to.equal(1);
    // Rejected by the restart, not by its own deadline (which says so in its message).
    expect(await inFlight).to.equal('BROKER_UNAVAILABLE: broker restarted');

    // Public state was rebuilt from the host's copy.
    expect(await host.state.get('alpha')).to.deep.equal({
      app: 'alpha',
      version: 1,
      value: { open: 7 },
    });
    // Both widgets' SDKs ask the new broker again for what they held (their command
    // subscriptions too): they answer once it has them.
    await Promise.all([answering(host, 'alpha', alpha), answering(host, 'beta', beta)]);
    // Pub/sub works on the new broker, and the host's own subscription was replayed.
    const newAlpha = canvas.layout.find((s) => s.app === 'alpha')!.slotId;
    expect(newAlpha).to.equal(alpha);
    const subscribed = nextEvent(host, 'beta.echo.subscribed');
    command(host, beta, { cmd: 'subscribe', pattern: 'alpha.note.*' });
    await subscribed;
    const received = nextEvent(host, 'beta.echo.received');
    command(host, alpha, { cmd: 'publish', topic: 'alpha.note.added', data: 'after' });
    expect(((await received).data as { data: unknown }).data).to.equal('after');
    expect(hostSeen).to.deep.equal(['after']);
    expect((await host.counters()).ports).to.equal(3);
    // Both widgets took ports to the new broker in their sessions: none was remounted.
    expect(lifecycle).to.deep.equal([]);
    // The manifest reads alpha; the revocation still holds on the new broker.
    const refused = nextEvent<{ code: string }>(host, 'beta.echo.error');
    command(host, beta, { cmd: 'get', app: 'alpha' });
    expect((await refused).data.code).to.equal('NOT_PERMITTED');
  });
});
