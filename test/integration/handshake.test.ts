import { expect, waitUntil } from '@open-wc/testing';

import type { Violation } from '../../sdk/protocol/index.ts';
import { MAX_WRONG_HELLOS } from '../../shell/frames/hello-guard.ts';
import {
  cleanup,
  collect,
  createCanvas,
  fixtureUrl,
  mountDriven,
  nextEvent,
  waitForStatus,
} from '../helpers/canvas.ts';

describe('handshake with a cross-site sandboxed widget', () => {
  afterEach(cleanup);

  it('connects a widget and shows it as connected', async () => {
    const canvas = createCanvas();
    const slotId = await mountDriven(canvas, 'alpha');
    const status = await waitForStatus(canvas, slotId, 'connected');
    expect(status.state).to.equal('connected');
    const frame = canvas.frame(slotId)!;
    const iframe = frame.renderRoot.querySelector('iframe')!;
    expect(iframe.getAttribute('sandbox')).to.equal('allow-scripts');
    expect(new URL(iframe.src).hostname).to.equal('127.0.0.1');
    expect(location.hostname).to.equal('localhost');
    expect(frame.renderRoot.querySelector('header')!.textContent).to.contain('Driven alpha');
  });

  it('ends a widget that never says hello in the error state at the deadline', async () => {
    const canvas = createCanvas({ connectTimeoutMs: 1500 });
    canvas.host.register({ id: 'mute', name: 'Mute', url: fixtureUrl('silent.html') });
    const slotId = canvas.mount({ app: 'mute', x: 0, y: 0, width: 100, height: 100 });
    await waitForStatus(canvas, slotId, 'loading');
    const status = await waitForStatus(canvas, slotId, 'error');
    expect(status).to.include({ state: 'error', code: 'HANDSHAKE_TIMEOUT' });
    const stats = await canvas.host.stats();
    expect(stats.connections).to.equal(1); // only the host's own client
  });

  it('refuses and records a hello with a wrong nonce without ending the slot', async () => {
    const canvas = createCanvas();
    const { host } = canvas;
    const refused: Violation[] = [];
    host.addEventListener('mc-violation', (e) => refused.push(e.violation));
    host.register({
      id: 'forger',
      name: 'Forger',
      url: fixtureUrl('wrong-nonce.html?wrong=2&then=right&after=1'),
      publishes: ['forger.report.*'],
    });
    const report = nextEvent<{ refusals: string[] }>(host, 'forger.report.result');
    const slotId = canvas.mount({ app: 'forger', x: 0, y: 0, width: 100, height: 100 });
    // Two wrong hellos, the right one, one more wrong one: the slot is connected (epoch 1),
    // and it reports after the last refusal, on the port of that session.
    expect((await report).data.refusals).to.deep.equal([
      'HANDSHAKE_REFUSED',
      'HANDSHAKE_REFUSED',
      'HANDSHAKE_REFUSED',
    ]);
    expect(canvas.frame(slotId)!.status).to.deep.equal({ state: 'connected', epoch: 1 });
    // Each one is in the broker's log (so devtools list it) and comes back as mc-violation.
    const handshake = (list: Violation[]) =>
      list.filter((v) => v.kind === 'handshake').map((v) => [v.kind, v.app, v.connection]);
    await waitUntil(() => refused.length >= 3, 'three mc-violation events', { timeout: 5000 });
    expect(handshake(refused)).to.deep.equal(Array(3).fill(['handshake', 'forger', slotId]));
    expect(handshake(await host.violations())).to.deep.equal(
      Array(3).fill(['handshake', 'forger', slotId]),
    );
    expect((await host.stats()).connections).to.equal(2);
  });

  it('ends a slot whose hellos keep guessing the nonce, before its connect deadline', async () => {
    // A deadline the test would run out before: the end must come from the bound.
    const canvas = createCanvas({ connectTimeoutMs: 120_000 });
    canvas.host.register({
      id: 'forger',
      name: 'Forger',
      url: fixtureUrl(`wrong-nonce.html?wrong=${MAX_WRONG_HELLOS + 1}`),
    });
    const slotId = canvas.mount({ app: 'forger', x: 0, y: 0, width: 100, height: 100 });
    const status = await waitForStatus(canvas, slotId, 'error');
    expect(status).to.include({ code: 'HANDSHAKE_REFUSED' });
    expect((status as { message: string }).message).to.contain('too many');
    expect((await canvas.host.stats()).connections).to.equal(1);
  });

  it('gives two libraries that each call connect(), each with its own SDK, one session', async () => {
    const canvas = createCanvas();
    const { host } = canvas;
    host.register({
      id: 'pair',
      name: 'Pair',
      url: fixtureUrl('two-sdks.html'),
      publishes: ['pair.copy.*'],
      subscribes: ['host.test.ping'],
    });
    const ready = collect<{ copy: number; again: boolean; first: boolean }>(
      host,
      'pair.copy.ready',
    );
    const pongs = collect<number>(host, 'pair.copy.pong');
    await Promise.all([ready.ready, pongs.ready]);
    const both = nextEvent(host, 'pair.copy.ready', () => ready.events.length === 2);
    const slotId = canvas.mount({ app: 'pair', x: 0, y: 0, width: 100, height: 100 });
    await both;
    // Each copy got the one client: its own second connect() too, and the other copy's first.
    expect(ready.events.map((e) => e.data).sort((a, b) => a.copy - b.copy)).to.deep.equal([
      { copy: 1, again: true, first: true },
      { copy: 2, again: true, first: true },
    ]);
    const answered = nextEvent(host, 'pair.copy.pong', () => pongs.events.length === 2);
    host.publish('host.test.ping', null);
    await answered;
    expect(pongs.events.map((e) => e.data).sort()).to.deep.equal([1, 2]);
    expect(canvas.frame(slotId)!.status).to.deep.equal({ state: 'connected', epoch: 1 });
    expect((await host.stats()).connections).to.equal(2);
  });
});
