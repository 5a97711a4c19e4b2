import { expect } from '@open-wc/testing';

import type { Host } from '../../shell/host/host.ts';
import type { Violation } from '../../sdk/protocol/index.ts';
import {
  cleanup,
  collect,
  command,
  createCanvas,
  fixtureUrl,
  mountDriven,
  nextEvent,
} from '../helpers/canvas.ts';

/** App ids the SDK refuses at once: upper case, a space, a Cyrillic `е`, 10 KB, empty. */
const BAD_APP_IDS = ['Beta', 'be ta', 'bеta', 'b'.repeat(10_240), ''];

/**
 * The broker's subscription count once the host's own subscription changes have been applied.
 * The helpers' waits (`nextEvent`) subscribe on the host and unsubscribe when their event
 * came, asynchronously: a count read meanwhile may still hold one (Firefox did, once per
 * few runs). The host's operations keep their order on its port, so once a fresh
 * subscription of the host's is held, every earlier unsubscribe has been applied.
 */
async function brokerSubscriptions(host: Host): Promise<number> {
  const off = host.subscribe('zzprobe.settle.now', () => undefined);
  await off.ready;
  const { subscriptions } = await host.stats();
  off();
  return subscriptions - 1;
}

describe('requests that must fail fast, and identical subscriptions', () => {
  afterEach(cleanup);

  it('refuses a malformed app id in the SDK at once, and still answers a good one', async () => {
    const canvas = createCanvas();
    const { host } = canvas;
    const alpha = await mountDriven(canvas, 'alpha', { reads: ['beta'] });
    const errors = collect<{ code: string }>(host, 'alpha.echo.error');
    await errors.ready;
    for (const app of BAD_APP_IDS) {
      command(host, alpha, { cmd: 'get', app });
      command(host, alpha, { cmd: 'watch', app });
    }
    // The control: a good request, sent last, is answered (`state` echo) after the refusals.
    const answered = nextEvent(host, 'alpha.echo.state');
    command(host, alpha, { cmd: 'get', app: 'beta' });
    await answered;
    expect(errors.events.map((e) => e.data.code)).to.deep.equal(
      BAD_APP_IDS.flatMap(() => ['INVALID_ARGUMENT', 'INVALID_ARGUMENT']),
    );
  });

  it('answers each malformed request from a raw port by its id', async () => {
    const canvas = createCanvas();
    const { host } = canvas;
    host.register({
      id: 'evil',
      name: 'Evil',
      url: fixtureUrl('hostile/attacks.html?attack=requests'),
      publishes: ['evil.*.*'],
      reads: ['evil'],
    });
    const report = nextEvent<{ answers: Array<[number, string | undefined]> }>(
      host,
      'evil.report.result',
    );
    canvas.mount({ app: 'evil', x: 0, y: 0, width: 100, height: 100 });
    const { answers } = (await report).data;
    expect(answers).to.deep.equal([
      [1, 'MALFORMED_MESSAGE'],
      [2, 'MALFORMED_MESSAGE'],
      [3, 'MALFORMED_MESSAGE'],
      [4, 'MALFORMED_MESSAGE'],
      [5, 'MALFORMED_MESSAGE'],
      [6, 'MALFORMED_MESSAGE'],
      [99, 'ok'],
    ]);
  });

  it('holds 1,000 identical subscribes as one: one broker subscription, one call per event', async () => {
    const canvas = createCanvas();
    const { host } = canvas;
    const alpha = await mountDriven(canvas, 'alpha', { publishes: ['alpha.note.*'] });
    const beta = await mountDriven(canvas, 'beta', { subscribes: ['alpha.*.*'] });
    const violations: Violation[] = [];
    host.addEventListener('mc-violation', (e) => violations.push(e.violation));
    const before = await brokerSubscriptions(host);
    const subscribed = nextEvent(host, 'beta.echo.subscribed');
    command(host, beta, { cmd: 'subscribe', pattern: 'alpha.note.*', count: 1000 });
    await subscribed;
    expect((await brokerSubscriptions(host)) - before).to.equal(1);
    const received = collect<{ data: number }>(host, 'beta.echo.received');
    await received.ready;
    const last = nextEvent<{ data: number }>(host, 'beta.echo.received', (e) => e.data.data === 2);
    command(host, alpha, { cmd: 'publish', topic: 'alpha.note.added', count: 3 });
    await last;
    // The control for "once": a second pattern's handler is a second call per event.
    const wildcard = nextEvent(host, 'beta.echo.subscribed');
    command(host, beta, { cmd: 'subscribe', pattern: 'alpha.*.added' });
    await wildcard;
    let zeros = 0;
    const twice = nextEvent<{ data: number }>(
      host,
      'beta.echo.received',
      (e) => e.data.data === 0 && ++zeros === 2,
    );
    command(host, alpha, { cmd: 'publish', topic: 'alpha.note.added', count: 1 });
    await twice;
    received.stop();
    expect(received.events.map((e) => e.data.data)).to.deep.equal([0, 1, 2, 0, 0]);
    expect(violations.filter((v) => v.app === 'beta')).to.deep.equal([]);
    expect(canvas.frame(beta)!.status.state).to.equal('connected');
  });
});
