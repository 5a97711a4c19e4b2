/**
 * microcanvas/testing's host simulator, checked against a probe widget that reports what it
 * sees (test/fixtures/sim-probe.ts): every helper must do to a widget what a real host does.
 */
import { expect } from '@open-wc/testing';
import { McError } from 'microcanvas/protocol';
import {
  mountWidget,
  unmountAll,
  type MountOptions,
  type WidgetSimulator,
} from 'microcanvas/testing';

const PROBE = '/test/fixtures/bundled/sim-probe.html';
const manifest = {
  id: 'probe',
  publishes: ['probe.*.*'],
  subscribes: ['peer.*.*', 'host.probe.cmd'],
  reads: ['peer'],
  services: ['notify' as const, 'modal' as const, 'storage' as const],
};

async function mountProbe(options: Partial<MountOptions> = {}): Promise<WidgetSimulator> {
  const sim = await mountWidget({ url: PROBE, manifest, ...options });
  await sim.expectPublished('probe.ready.now');
  return sim;
}

/** Sends the probe a command (once it listens for them). */
function command(sim: WidgetSimulator, data: Record<string, unknown>): Promise<void> {
  return sim.publish('host.probe.cmd', data);
}

describe('microcanvas/testing: mountWidget', () => {
  afterEach(unmountAll);

  it('mounts a cross-site frame with the production sandbox, and connects it', async () => {
    const sim = await mountWidget({ url: PROBE, manifest });
    const ready = await sim.expectPublished<{ appId: string; slotId: string }>('probe.ready.now');
    expect(ready.data).to.include({ appId: 'probe', slotId: sim.slotId });
    expect(sim.iframe.getAttribute('sandbox')).to.equal('allow-scripts');
    expect(new URL(sim.iframe.src).origin).to.not.equal(location.origin);
    expect(sim.status).to.deep.equal({ state: 'connected', epoch: 1 });
    expect(document.querySelector(sim.frameSelector)).to.equal(sim.iframe);
  });

  it('refuses a widget on the test page’s own origin', async () => {
    const error = await mountWidget({ url: `${location.origin}${PROBE}`, manifest }).catch(
      (e: unknown) => e,
    );
    expect((error as McError).code).to.equal('INVALID_ARGUMENT');
  });

  it('rejects with HANDSHAKE_TIMEOUT for a page that never says hello, and cleans up', async () => {
    const error = await mountWidget({
      url: '/test/fixtures/silent.html',
      manifest: { id: 'silent' },
      timeoutMs: 300,
    }).catch((e: unknown) => e);
    expect((error as McError).code).to.equal('HANDSHAKE_TIMEOUT');
    expect(document.querySelector('iframe[data-mc-app="silent"]')).to.equal(null);
  });

  it('rejects a bad manifest with INVALID_MANIFEST', async () => {
    const error = await mountWidget({
      url: PROBE,
      manifest: { id: 'probe', publishes: ['other.thing.done'] },
    }).catch((e: unknown) => e);
    expect((error as McError).code).to.equal('INVALID_MANIFEST');
  });
});

describe('microcanvas/testing: events and state', () => {
  afterEach(unmountAll);

  it('publishes as the app the topic names, stamped by the broker', async () => {
    const sim = await mountProbe();
    await sim.publish('peer.thing.done', { n: 1 });
    const seen = await sim.expectPublished('probe.seen.event');
    expect(seen.data).to.deep.equal({ topic: 'peer.thing.done', source: 'peer', data: { n: 1 } });
  });

  it('expectPublished takes each event once; nextEvent only new ones; where filters', async () => {
    const sim = await mountProbe();
    await command(sim, { cmd: 'publish', topic: 'probe.count.one', data: 1 });
    await command(sim, { cmd: 'publish', topic: 'probe.count.two', data: 2 });
    expect((await sim.expectPublished('probe.count.*')).data).to.equal(1);
    expect((await sim.expectPublished('probe.count.*')).data).to.equal(2);
    const next = sim.nextEvent('probe.count.*', { where: (n) => n === 4 });
    await command(sim, { cmd: 'publish', topic: 'probe.count.three', data: 3 });
    await command(sim, { cmd: 'publish', topic: 'probe.count.four', data: 4 });
    expect((await next).topic).to.equal('probe.count.four');
    const missing = await sim
      .expectPublished('probe.count.five', { timeoutMs: 200 })
      .catch((e: unknown) => e);
    expect((missing as McError).code).to.equal('CALL_TIMEOUT');
    expect((missing as McError).message).to.contain('probe.count.four');
  });

  it("feeds a peer's public state and reads the widget's", async () => {
    const sim = await mountProbe();
    sim.setState('peer', { open: 3 });
    const seen = await sim.expectPublished<{ value: unknown }>('probe.state.seen', {
      where: (state) => state.value !== null,
    });
    expect(seen.data.value).to.deep.equal({ open: 3 });
    expect((await sim.state('peer')).value).to.deep.equal({ open: 3 });
  });

  it('changes the context the widget sees', async () => {
    const sim = await mountProbe({ context: { theme: 'light' } });
    sim.setContext({ theme: 'dark', locale: 'de-DE', user: { id: 'u1', name: 'Ada' } });
    const changed = await sim.expectPublished('probe.context.changed');
    expect(changed.data).to.deep.equal({
      theme: 'dark',
      locale: 'de-DE',
      user: { id: 'u1', name: 'Ada' },
    });
  });
});

describe('microcanvas/testing: host services', () => {
  afterEach(unmountAll);

  it('records toasts', async () => {
    const sim = await mountProbe();
    await command(sim, { cmd: 'notify', text: 'Low on milk' });
    expect(await sim.expectNotification(/milk/)).to.deep.equal({
      text: 'Low on milk',
      kind: 'warning',
    });
  });

  it('answers dialogs with the stub, and records them', async () => {
    const sim = await mountProbe({ services: { modal: true } });
    await command(sim, { cmd: 'confirm', text: 'Sure?' });
    expect((await sim.expectPublished('probe.confirm.answer')).data).to.deep.equal({
      answer: true,
    });
    sim.answerModals((request) => request.text === 'Really?');
    await command(sim, { cmd: 'confirm', text: 'Sure?' });
    expect((await sim.expectPublished('probe.confirm.answer')).data).to.deep.equal({
      answer: false,
    });
    expect(sim.modals.map((m) => [m.kind, m.text])).to.deep.equal([
      ['confirm', 'Sure?'],
      ['confirm', 'Sure?'],
    ]);
  });

  it('starts the app with the stubbed storage contents, and shows what it holds', async () => {
    const sim = await mountProbe({ services: { storage: { greeting: { text: 'hi' } } } });
    await command(sim, { cmd: 'storage', key: 'greeting' });
    expect((await sim.expectPublished('probe.storage.value')).data).to.deep.equal({
      value: { text: 'hi' },
    });
    await sim.storage.set('other', [1]);
    expect(await sim.storage.entries()).to.deep.equal({ greeting: { text: 'hi' }, other: [1] });
  });
});

describe('microcanvas/testing: faults', () => {
  afterEach(unmountAll);

  it('makes the host go away and come back', async () => {
    const sim = await mountProbe({ heartbeatIntervalMs: 100 });
    await sim.disconnectHost();
    const away = await sim.expectPublished('probe.host.status');
    expect(away.data).to.deep.equal({ status: 'away' });
    sim.reconnectHost();
    const back = await sim.expectPublished('probe.host.status');
    expect(back.data).to.deep.equal({ status: 'connected' });
  });

  it('refuses a publish with NOT_PERMITTED (a live revocation) until lifted', async () => {
    const sim = await mountProbe();
    const lift = await sim.refuse('publish', 'probe.out.*');
    await command(sim, { cmd: 'publish', topic: 'probe.out.one' });
    const seen = await sim.expectPublished('probe.error.seen');
    expect(seen.data).to.deep.equal({
      code: 'NOT_PERMITTED',
      message: 'publish "probe.out.one": not permitted or does not exist',
    });
    // The broker itself refused it: no simulation involved.
    expect(await sim.expectError('NOT_PERMITTED', { topic: 'probe.out.one' })).to.include({
      simulated: false,
    });
    await lift();
    await command(sim, { cmd: 'publish', topic: 'probe.out.two' });
    await sim.expectPublished('probe.out.two');
    expect(sim.published.map((e) => e.topic)).to.not.include('probe.out.one');
  });

  it("rate-limits a publish in the broker's words, and the channel keeps flowing", async () => {
    const sim = await mountProbe();
    const lift = await sim.refuse('publish', 'probe.out.*', 'RATE_LIMITED');
    await command(sim, { cmd: 'publish', topic: 'probe.out.one' });
    const seen = await sim.expectPublished('probe.error.seen');
    expect(seen.data).to.deep.equal({
      code: 'RATE_LIMITED',
      message: 'publish "probe.out.one": event rate exceeded',
    });
    expect(await sim.expectError('RATE_LIMITED', { topic: 'probe.out.one' })).to.include({
      simulated: true,
    });
    await lift();
    await command(sim, { cmd: 'publish', topic: 'probe.out.two' });
    await sim.expectPublished('probe.out.two');
    expect(sim.published.map((e) => e.topic)).to.not.include('probe.out.one');
    // The widget's acknowledgement of the simulated reply never reached the broker.
    const violations = await sim.host.violations();
    expect(violations.map((v) => v.kind)).to.deep.equal([]);
  });

  it('refuses a subscription, a state read and a service call with the code asked for', async () => {
    const sim = await mountProbe();
    await sim.refuse('subscribe', 'peer.other.*', 'RATE_LIMITED');
    await sim.refuse('read', 'peer');
    await sim.refuse('call', 'notify');
    await command(sim, { cmd: 'subscribe', pattern: 'peer.other.*' });
    await command(sim, { cmd: 'read', app: 'peer' });
    expect((await sim.expectPublished('probe.sub.failed')).data).to.deep.equal({
      code: 'RATE_LIMITED',
    });
    expect((await sim.expectPublished('probe.read.failed')).data).to.deep.equal({
      code: 'NOT_PERMITTED',
    });
    await command(sim, { cmd: 'notify', text: 'refused' });
    expect((await sim.expectPublished('probe.notify.failed')).data).to.deep.equal({
      code: 'NOT_PERMITTED',
    });
    expect(sim.notifications).to.deep.equal([]);
  });

  it("reports the broker's own refusals too", async () => {
    const sim = await mountProbe();
    // Outside `probe.*.*`: the broker itself refuses it.
    await command(sim, { cmd: 'publish', topic: 'probe.deeper.topic.here' });
    const error = await sim.expectError('NOT_PERMITTED', { topic: 'probe.deeper.topic.here' });
    expect(error.simulated).to.equal(false);
  });
});
