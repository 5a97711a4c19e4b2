import { expect } from '@open-wc/testing';

import type { McError } from '../../sdk/protocol/index.ts';
import '../../shell/elements/mc-canvas.ts';
import type { McCanvas } from '../../shell/elements/mc-canvas.ts';
import { Host } from '../../shell/host/host.ts';
import {
  cleanup,
  collect,
  command,
  createCanvas,
  mountDriven,
  nextEvent,
} from '../helpers/canvas.ts';

const code = (promise: Promise<unknown>) =>
  promise.then(
    () => 'resolved',
    (error: McError) => error.code,
  );
/** Code and message: a deadline would give the same code, but another message. */
const outcome = (promise: Promise<unknown>) =>
  promise.then(
    () => 'resolved',
    (error: McError) => `${error.code}: ${error.message}`,
  );

/** A tick, so that microtasks queued by a removal have run. */
const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('host teardown', function () {
  this.timeout(60_000);
  afterEach(cleanup);

  it('rejects broker calls in flight with BROKER_UNAVAILABLE when the host is destroyed, and later ones at once', async () => {
    const host = new Host();
    await host.stats();
    const inFlight = [outcome(host.stats()), outcome(host.violations()), outcome(host.counters())];
    host.destroy();
    // Rejected by the destroy itself, not later by their deadlines.
    expect(await Promise.all(inFlight)).to.deep.equal([
      'BROKER_UNAVAILABLE: broker stopped',
      'BROKER_UNAVAILABLE: broker stopped',
      'BROKER_UNAVAILABLE: broker stopped',
    ]);
    expect(await code(host.stats())).to.equal('BROKER_UNAVAILABLE');
    expect(await host.adoptState('any', '1')).to.equal(false);
  });

  it('destroys the host it created when the canvas leaves the document, not when it moves', async () => {
    const canvas = document.createElement('mc-canvas') as McCanvas;
    document.body.append(canvas);
    const own = canvas.host;
    await own.stats();
    // A move: removed and inserted again in the same task.
    const box = document.createElement('div');
    document.body.append(box);
    box.append(canvas);
    await tick();
    expect((await own.stats()).connections).to.equal(1);
    canvas.remove();
    box.remove();
    await tick();
    expect(await code(own.stats())).to.equal('BROKER_UNAVAILABLE');
    // Back in the document, it makes a new one.
    document.body.append(canvas);
    expect(canvas.host).to.not.equal(own);
    expect((await canvas.host.stats()).connections).to.equal(1);
    canvas.remove();
    await tick();
  });

  it('brings its widgets back when the canvas returns to the document in a later task', async () => {
    const canvas = createCanvas();
    const alpha = await mountDriven(canvas, 'alpha');
    const own = canvas.host;
    canvas.remove();
    await tick();
    expect(await code(own.stats())).to.equal('BROKER_UNAVAILABLE');
    document.body.append(canvas);
    // A new host with the same manifests, and the slot remounted on it.
    const { host } = canvas;
    const ready = nextEvent(host, 'alpha.echo.ready', (e) => e.data === alpha);
    expect(host).to.not.equal(own);
    expect(host.manifest('alpha')?.name).to.equal('Driven alpha');
    await ready;
    expect(canvas.frame(alpha)?.status.state).to.equal('connected');
    const echoed = nextEvent(host, 'alpha.echo.pong');
    command(host, alpha, { cmd: 'publish', topic: 'alpha.echo.pong', data: 1 });
    await echoed;
    // A heartbeat in flight is a pending call for its round trip (WebKitGTK under load read
    // one once); a leaked call is one that stays.
    let counters = await host.counters();
    for (let i = 0; i < 30 && counters.pendingCalls > 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      counters = await host.counters();
    }
    expect(counters).to.deep.equal({ ports: 2, sessions: 1, pendingCalls: 0 });
  });

  it('leaves a host the page assigned running after the canvas is removed', async () => {
    const host = new Host();
    const canvas = document.createElement('mc-canvas') as McCanvas;
    canvas.host = host;
    document.body.append(canvas);
    canvas.remove();
    await tick();
    expect((await host.stats()).connections).to.equal(1);
    host.destroy();
  });

  it('keeps widgets on their sessions when the layout is reordered: frames are not moved', async () => {
    const canvas = createCanvas();
    const { host } = canvas;
    const alpha = await mountDriven(canvas, 'alpha');
    const beta = await mountDriven(canvas, 'beta');
    const ready = collect(host, '*.echo.ready' as `${string}.${string}.${string}`);
    await ready.ready;
    // Same slots, other order (the stacking order, docs/canvas.md): each frame stays where
    // it was drawn, since moving an iframe in the DOM reloads it.
    canvas.layout = [...canvas.layout].reverse();
    await canvas.updateComplete;
    // Both answer (positive control), still on their first session: nothing reloaded.
    for (const [app, slotId] of [
      ['alpha', alpha],
      ['beta', beta],
    ] as const) {
      const echoed = nextEvent(host, `${app}.echo.pong`);
      command(host, slotId, { cmd: 'publish', topic: `${app}.echo.pong`, data: 1 });
      await echoed;
      expect(canvas.frame(slotId)!.status).to.deep.equal({ state: 'connected', epoch: 1 });
    }
    expect(ready.events).to.have.length(0);
    let counters = await host.counters();
    for (let i = 0; i < 50 && counters.ports !== 3; i++) counters = await host.counters();
    expect(counters).to.deep.equal({ ports: 3, sessions: 2, pendingCalls: 0 });
  });
});
