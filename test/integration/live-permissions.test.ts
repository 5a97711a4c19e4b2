import { expect } from '@open-wc/testing';

import { McAppUpdatedEvent } from '../../shell/host/host-events.ts';
import { callOnce, mountServices } from '../fixtures/services-harness.ts';
import {
  cleanup,
  collect,
  command,
  createCanvas,
  mountDriven,
  nextEvent,
} from '../helpers/canvas.ts';

type Received = { topic: string; data: number };
type Failure = { code: string; message: string };

/**
 * Live permissions (docs/decisions/0022-live-permissions.md) between real cross-site
 * widgets: the host revokes a running widget's grant and the broker applies it before
 * `revoke` resolves.
 */
describe('live permissions: Host.revoke and Host.restore', () => {
  afterEach(cleanup);

  it('a revoked subscription hears nothing published after revoke resolves; another widget still does', async () => {
    const canvas = createCanvas();
    const { host } = canvas;
    const alpha = await mountDriven(canvas, 'alpha', { publishes: ['alpha.note.*'] });
    const beta = await mountDriven(canvas, 'beta', { subscribes: ['alpha.*.*'] });
    const gamma = await mountDriven(canvas, 'gamma', { subscribes: ['alpha.note.*'] });
    for (const [app, slot] of [
      ['beta', beta],
      ['gamma', gamma],
    ] as const) {
      const subscribed = nextEvent(host, `${app}.echo.subscribed`);
      command(host, slot, { cmd: 'subscribe', pattern: 'alpha.note.*' });
      await subscribed;
    }
    const heard = collect<Received>(host, 'beta.echo.received');
    const errors = collect<Failure>(host, 'beta.echo.error');
    await Promise.all([heard.ready, errors.ready]);
    const before = nextEvent<Received>(host, 'beta.echo.received', (e) => e.data.data === 4);
    command(host, alpha, { cmd: 'publish', topic: 'alpha.note.added', count: 5 });
    await before;

    const told = nextEvent(host, 'beta.echo.error');
    expect(await host.revoke('beta', { subscribe: 'alpha.note.*' }, { by: 'test' })).to.equal(true);
    // Published after the revocation: gamma (positive control) hears every one.
    const gammaHeard = nextEvent<Received>(host, 'gamma.echo.received', (e) => e.data.data === 9);
    command(host, alpha, { cmd: 'publish', topic: 'alpha.note.added', count: 10 });
    await gammaHeard;
    // The widget was told, with a typed error naming its subscription.
    await told;
    // A barrier: beta handles its port in order, so this echo comes after any event it heard.
    const barrier = nextEvent(host, 'beta.echo.window-messages');
    command(host, beta, { cmd: 'window-messages' });
    await barrier;
    expect(heard.events.map((e) => e.data.data)).to.deep.equal([0, 1, 2, 3, 4]);
    expect(errors.events.map((e) => e.data)).to.deep.equal([
      {
        code: 'NOT_PERMITTED',
        message: 'subscribe "alpha.note.*": revoked',
        operation: 'subscribe',
        target: 'alpha.note.*',
      },
    ]);

    // It cannot subscribe again while revoked, even through a wider pattern it was granted.
    const refused = nextEvent<Failure>(host, 'beta.echo.error');
    command(host, beta, { cmd: 'subscribe', pattern: 'alpha.*.*' });
    expect((await refused).data.code).to.equal('NOT_PERMITTED');

    // Restored: the widget subscribes again itself and hears new events.
    expect(await host.restore('beta', { subscribe: 'alpha.note.*' })).to.equal(true);
    const again = nextEvent(host, 'beta.echo.subscribed');
    command(host, beta, { cmd: 'subscribe', pattern: 'alpha.note.*' });
    await again;
    const after = nextEvent<Received>(host, 'beta.echo.received');
    command(host, alpha, { cmd: 'publish', topic: 'alpha.note.added', data: 42 });
    expect((await after).data.data).to.equal(42);

    const log = await host.auditLog();
    expect(log.map(({ app, action, grant, by }) => ({ app, action, grant, by }))).to.deep.equal([
      { app: 'beta', action: 'revoke', grant: { subscribe: 'alpha.note.*' }, by: 'test' },
      { app: 'beta', action: 'restore', grant: { subscribe: 'alpha.note.*' }, by: 'host' },
    ]);
    expect(log[0]!.time).to.be.a('number');
  });

  it('refuses a revoked publish and ends a watch of a revoked read, over a reload too', async () => {
    const canvas = createCanvas();
    const { host } = canvas;
    const updates: string[] = [];
    host.addEventListener('mc-app-updated', (e: McAppUpdatedEvent) => updates.push(e.change));
    const alpha = await mountDriven(canvas, 'alpha', { publishes: ['alpha.note.*'] });
    const beta = await mountDriven(canvas, 'beta', { reads: ['alpha'] });
    command(host, alpha, { cmd: 'set', value: 1 });
    const first = nextEvent<{ version: number }>(
      host,
      'beta.echo.state',
      (e) => e.data.version > 0,
    );
    command(host, beta, { cmd: 'watch', app: 'alpha' });
    await first;

    const watchEnded = nextEvent<Failure>(host, 'beta.echo.error');
    await host.revoke('alpha', { publish: 'alpha.note.*' });
    await host.revoke('beta', { read: 'alpha' });
    expect(updates).to.deep.equal(['grants', 'grants']);
    expect(await host.grants('beta')).to.deep.include({ reads: [], revoked: [{ read: 'alpha' }] });

    const refused = nextEvent<Failure>(host, 'alpha.echo.error');
    const published = collect(host, 'alpha.note.*');
    await published.ready;
    command(host, alpha, { cmd: 'publish', topic: 'alpha.note.added' });
    expect((await refused).data.code).to.equal('NOT_PERMITTED');
    expect((await watchEnded).data).to.deep.equal({
      code: 'NOT_PERMITTED',
      message: 'state.watch "alpha": revoked',
      operation: 'state.watch',
      target: 'alpha',
    });
    // A new version of alpha's state: the host (positive control) sees it, beta does not.
    const states = collect<{ version: number }>(host, 'beta.echo.state');
    await states.ready;
    command(host, alpha, { cmd: 'set', value: 2 });
    await host.state.get('alpha').then(async (s) => {
      while (s.version < 2) s = await host.state.get('alpha');
    });
    const barrier = nextEvent(host, 'beta.echo.window-messages');
    command(host, beta, { cmd: 'window-messages' });
    await barrier;
    expect(states.events).to.have.length(0);
    expect(published.events).to.have.length(0);

    // A reload is a new session of the same app: still revoked.
    const reloaded = nextEvent(host, 'beta.echo.ready');
    command(host, beta, { cmd: 'reload' });
    await reloaded;
    const stillRefused = nextEvent<Failure>(host, 'beta.echo.error');
    command(host, beta, { cmd: 'get', app: 'alpha' });
    expect((await stillRefused).data.code).to.equal('NOT_PERMITTED');
  });

  it('refuses a revoked host service, host-side, until restored', async () => {
    const canvas = createCanvas();
    const { host } = canvas;
    const slot = await mountServices(canvas, 'svc');
    await host.revoke('svc', { service: 'storage' });
    expect(await callOnce(canvas, 'svc', slot, 'storageKeys')).to.deep.equal({
      error: { code: 'NOT_PERMITTED', message: 'call "storageKeys": revoked' },
    });
    // Another service of the same widget still answers.
    expect(await callOnce(canvas, 'svc', slot, 'shortcuts')).to.deep.equal({ value: [] });
    await host.restore('svc', { service: 'storage' });
    expect(await callOnce(canvas, 'svc', slot, 'storageKeys')).to.deep.equal({ value: [] });
  });

  it('checks its arguments: unknown apps, malformed grants, and nothing beyond the manifest', async () => {
    const canvas = createCanvas();
    const { host } = canvas;
    await mountDriven(canvas, 'alpha');
    const code = (p: Promise<unknown>) =>
      p.then(
        () => 'resolved',
        (e: { code: string }) => e.code,
      );
    expect(await code(host.revoke('nobody', { read: 'alpha' }))).to.equal('UNKNOWN_APP');
    expect(await code(host.revoke('host', { read: 'alpha' }))).to.equal('UNKNOWN_APP');
    for (const bad of [
      {},
      { publish: 'alpha.**' },
      { read: 'alpha', publish: 'alpha.a.b' },
      { service: 'camera' },
      { read: '__proto__' },
    ]) {
      expect(await code(host.revoke('alpha', bad as never))).to.equal('INVALID_ARGUMENT');
    }
    // Restoring what was never revoked changes nothing: no right is ever added.
    expect(await host.restore('alpha', { subscribe: '*.*.*' })).to.equal(false);
    expect((await host.grants('alpha')).subscribes).to.deep.equal(['host.test.cmd']);
    expect(await host.auditLog()).to.have.length(0);
  });
});
