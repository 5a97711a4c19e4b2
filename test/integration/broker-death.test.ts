import { expect } from '@open-wc/testing';

import {
  answering,
  cleanup,
  collect,
  command,
  createCanvas,
  fixtureUrl,
  mountDriven,
  nextEvent,
} from '../helpers/canvas.ts';
import type { McFrame } from '../../shell/elements/mc-frame.ts';
import { spyOnWorkers, type WorkerSpy } from '../helpers/worker-spy.ts';

/** The name `BrokerLink` gives the broker's Worker. */
const BROKER_WORKER_NAME = 'microcanvas-broker';

/** The issue 14 item 7 target: a dead broker noticed and service back within this. */
const RESTORE_TARGET_MS = 5000;
/**
 * How long the broker must have been busy (one call's wait) for the busy test to count: the
 * positive control that the broker was kept busy at all (its answers take milliseconds
 * otherwise). Every stall must also stay well under the 15 s ping deadline, which a hung
 * broker is judged by: engines and load make the same array cost 0.3 s or 10 s.
 */
const BUSY_MS = 500;

/** The engine under test, for the per-engine figures. */
function engine(): 'chromium' | 'firefox' | 'webkit' {
  const ua = navigator.userAgent;
  return ua.includes('Firefox/') ? 'firefox' : ua.includes('Chrome/') ? 'chromium' : 'webkit';
}

/**
 * The stall attack per engine (its query): what kept the broker busy over {@link BUSY_MS} in
 * one answer here. Chromium deserializes arrays queued back to back before the next call;
 * Firefox and WebKitGTK let calls in between them, so there one array that is big enough.
 */
const STALL = {
  chromium: 'array=10000000&count=6',
  firefox: 'array=4000000&count=3&grow=2&gap=500',
  // On a quiet machine WebKitGTK took 0.3–0.4 s for each array of zeros up to 40M long;
  // arrays of small objects cost it more: 2M, 4M, 8M took 0.4, 0.9, 1.8 s (once 10 s), and
  // under a CI run's load 8M kept a call waiting over 19 s (4M once 3.7 s when quiet). So
  // 1.5M and 3M.
  webkit: 'array=1500000&count=2&grow=2&gap=1000&shape=objects',
} as const;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** What a stream of sequence numbers lost and duplicated: `sent` numbered 0 … sent − 1. */
function tally(sent: number, seen: readonly number[]) {
  const unique = new Set(seen);
  const lost: number[] = [];
  for (let i = 0; i < sent; i++) if (!unique.has(i)) lost.push(i);
  return { sent, received: seen.length, lost, duplicated: seen.length - unique.size };
}

describe('broker Worker death (issue 14 item 7)', function () {
  this.timeout(90_000);
  let workers: WorkerSpy;
  beforeEach(() => {
    workers = spyOnWorkers();
  });
  afterEach(() => {
    workers.restore();
    cleanup();
  });

  it('a killed broker is noticed by its released lock, service is back within 5 s at the default deadlines, and the widget keeps its session; the stream across it is counted', async () => {
    // Default deadlines: the 15 s ping deadline alone would notice this death after 15–17 s.
    const canvas = createCanvas();
    const { host } = canvas;
    const beta = await mountDriven(canvas, 'beta', { subscribes: ['host.seq.*'] });
    const frame = canvas.renderRoot.querySelector<McFrame>(`mc-frame[slot-id="${beta}"]`)!;
    const subscribed = nextEvent(host, 'beta.echo.subscribed');
    command(host, beta, { cmd: 'subscribe', pattern: 'host.seq.*' });
    await subscribed;
    const betaSeen = collect<{ data: number }>(host, 'beta.echo.received');
    const hostSeen: number[] = [];
    await Promise.all([
      betaSeen.ready,
      host.subscribe<number>('host.seq.*', (e) => hostSeen.push(e.data)).ready,
    ]);
    const epoch = frame.epoch;
    const readies = collect(host, 'beta.echo.ready');
    const connects: string[] = [];
    for (const type of ['mc-app-connected', 'mc-app-reconnected', 'mc-app-disconnected']) {
      canvas.addEventListener(type, () => connects.push(type));
    }

    // The host publishes a numbered event every 20 ms, before, across and after the death.
    let sent = 0;
    const stream = setInterval(() => host.publish('host.seq.tick', sent++), 20);
    try {
      await until(() => hostSeen.length >= 20 && betaSeen.events.length >= 20, 20_000, 'traffic');
      const restarted = new Promise<number>((resolve) =>
        host.addEventListener('mc-broker-restarted', () => resolve(performance.now()), {
          once: true,
        }),
      );
      const killedAt = performance.now();
      const sentBeforeDeath = sent;
      workers.latest(BROKER_WORKER_NAME).terminate();

      const noticedMs = (await restarted) - killedAt;
      // Service for the host's own client: a number sent after the kill arrives.
      await until(() => hostSeen.some((n) => n >= sentBeforeDeath), 20_000, 'host service');
      const hostRestoredMs = performance.now() - killedAt;
      // The widget's SDK moved to a port to the new broker and asked again for its
      // subscription itself: a number sent after the kill reaches it, with no command.
      await until(
        () => betaSeen.events.some((e) => e.data.data >= sentBeforeDeath),
        20_000,
        'widget service',
      );
      const widgetRestoredMs = performance.now() - killedAt;
      // Its requests to the new broker are answered too (it reads its own state).
      const read = nextEvent<{ app: string }>(host, 'beta.echo.state');
      command(host, beta, { cmd: 'get', app: 'beta' });
      expect((await read).data.app).to.equal('beta');
      await sleep(200);
      clearInterval(stream);
      await sleep(300);

      const hostTally = tally(sent, hostSeen);
      const betaTally = tally(
        sent,
        betaSeen.events.map((e) => e.data.data),
      );
      console.log(
        `[broker death] ${engine()}: ` +
          `noticed ${noticedMs.toFixed(0)} ms, host service ${hostRestoredMs.toFixed(0)} ms, ` +
          `widget service ${widgetRestoredMs.toFixed(0)} ms (same session); ` +
          `host: sent ${hostTally.sent}, received ${hostTally.received}, lost ${hostTally.lost.length} ` +
          `(${hostTally.lost[0]}–${hostTally.lost.at(-1)}), duplicated ${hostTally.duplicated}; ` +
          `widget: received ${betaTally.received}, lost ${betaTally.lost.length} ` +
          `(${betaTally.lost[0]}–${betaTally.lost.at(-1)}), duplicated ${betaTally.duplicated}`,
      );

      expect(noticedMs).to.be.below(RESTORE_TARGET_MS);
      expect(hostRestoredMs).to.be.below(RESTORE_TARGET_MS);
      expect(widgetRestoredMs).to.be.below(RESTORE_TARGET_MS);
      // Reattached, not remounted: no new document, no new session, no lifecycle event.
      expect(readies.events).to.deep.equal([]);
      expect(connects).to.deep.equal([]);
      expect(frame.epoch).to.equal(epoch);
      expect(frame.status).to.deep.equal({ state: 'connected', epoch });
      // Nothing is delivered twice; what is lost was sent while no broker could take it.
      expect(hostTally.duplicated).to.equal(0);
      expect(betaTally.duplicated).to.equal(0);
      const hostBack = hostSeen.find((n) => n >= sentBeforeDeath)!;
      expect(hostTally.lost.every((n) => n >= sentBeforeDeath - 2 && n < hostBack)).to.equal(true);
      const betaBack = betaSeen.events.map((e) => e.data.data).find((n) => n >= sentBeforeDeath)!;
      expect(betaTally.lost.every((n) => n >= sentBeforeDeath - 2 && n < betaBack)).to.equal(true);
      expect(host.brokerRestarts).to.equal(1);
    } finally {
      clearInterval(stream);
    }
  });

  it('a widget’s watch is asked for again by its SDK after a broker death: the next version arrives, the last one is not repeated', async () => {
    const canvas = createCanvas();
    const { host } = canvas;
    const alpha = await mountDriven(canvas, 'alpha');
    const beta = await mountDriven(canvas, 'beta', { reads: ['alpha'] });
    command(host, alpha, { cmd: 'set', value: { n: 1 } });
    const states = collect<{ version: number; value: { n: number } }>(host, 'beta.echo.state');
    await states.ready;
    command(host, beta, { cmd: 'watch', app: 'alpha' });
    await until(() => states.events.some((e) => e.data.version === 1), 20_000, 'snapshot');
    // The host's copy of alpha's state is what the new broker starts from.
    let copy = await host.state.get('alpha');
    while (copy.version < 1) copy = await host.state.get('alpha');
    const restarted = new Promise((resolve) =>
      host.addEventListener('mc-broker-restarted', resolve, { once: true }),
    );
    workers.latest(BROKER_WORKER_NAME).terminate();
    await restarted;
    // Both SDKs asked the new broker again for their command subscriptions (and beta for
    // its watch, in the same message) once they answer a command.
    await Promise.all([answering(host, 'alpha', alpha), answering(host, 'beta', beta)]);
    command(host, alpha, { cmd: 'set', value: { n: 2 } });
    await until(() => states.events.some((e) => e.data.version === 2), 20_000, 'next version');
    await sleep(300);
    expect(states.events.map((e) => [e.data.version, e.data.value.n])).to.deep.equal([
      [1, 1],
      [2, 2],
    ]);
    expect(canvas.renderRoot.querySelector<McFrame>(`mc-frame[slot-id="${beta}"]`)!.epoch).to.equal(
      1,
    );
  });

  it('a widget whose SDK does not take a new port is remounted after a broker death', async () => {
    const canvas = createCanvas();
    const { host } = canvas;
    const beta = await mountDriven(canvas, 'beta');
    const frame = canvas.renderRoot.querySelector<McFrame>(`mc-frame[slot-id="${beta}"]`)!;
    // What an SDK without `reattach` answers: penpal's METHOD_NOT_FOUND.
    const gone = nextEvent(host, 'beta.echo.removed');
    command(host, beta, { cmd: 'no-reattach' });
    await gone;
    const back = nextEvent(host, 'beta.echo.ready', () => true, 30_000);
    // When each restart came, from the death on: Firefox ESR in a full run restarted twice once.
    const restarts: number[] = [];
    const killed = performance.now();
    host.addEventListener('mc-broker-restarted', () => restarts.push(performance.now() - killed));
    workers.latest(BROKER_WORKER_NAME).terminate();
    await back;
    // A new session of a new mount (Firefox ESR counted a second hello in it once: the
    // remount's own reconnect, not a reattach).
    expect(frame.epoch).to.be.at.least(1);
    expect(frame.status.state).to.equal('connected');
    const when = `restarts at ${restarts.map((ms) => `${ms.toFixed(0)} ms`).join(', ')}`;
    expect(host.brokerRestarts, when).to.equal(1);
  });

  it('a broker kept busy for seconds by huge messages is not taken for dead', async () => {
    const canvas = createCanvas({ connectTimeoutMs: 30_000 });
    const { host } = canvas;
    const restarts: number[] = [];
    host.addEventListener('mc-broker-restarted', () => restarts.push(host.brokerRestarts));
    // Probe the broker back to back: the longest answer is how long it was busy.
    let probing = true;
    const stalls: number[] = [];
    const probe = (async () => {
      while (probing) {
        const t = performance.now();
        await host.stats();
        const ms = performance.now() - t;
        if (ms > 200) stalls.push(Math.round(ms));
        await sleep(20);
      }
    })();
    // A broker busy for over BUSY_MS is the positive control that this test can fail;
    // engines deserialize at very different speeds (see STALL).
    const url = fixtureUrl(`hostile/attacks.html?attack=stall&${STALL[engine()]}`).replace(
      '127.0.0.1',
      '127.0.0.2',
    );
    host.register({ id: 'evil', name: 'Evil', url, publishes: ['evil.*.*'] });
    const report = nextEvent(host, 'evil.report.result', () => true, 80_000);
    canvas.mount({ app: 'evil', x: 0, y: 200, width: 200, height: 100 });
    await report;
    await sleep(500);
    probing = false;
    await probe;
    console.log(
      `[broker busy] ${engine()}: broker answers over 200 ms: ${stalls.join(', ')} ms; ` +
        `restarts ${restarts.length}`,
    );
    expect(Math.max(0, ...stalls)).to.be.above(BUSY_MS);
    expect(restarts).to.deep.equal([]);
    expect(host.brokerRestarts).to.equal(0);
  });
});
