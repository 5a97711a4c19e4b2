/**
 * The bench page (on `localhost`, cross-origin isolated). `bench/run.mjs` loads it and
 * calls `runBench()`; everything is measured here, in one page, microcanvas beside the raw
 * baselines.
 */
import './coi-frames.ts';
import '../../shell/elements/mc-canvas.ts';

import type { McCanvas } from '../../shell/elements/mc-canvas.ts';
import { FLOOD_ORIGIN, mountFixture, pairManifest, rawFrame, WIDGET_ORIGIN } from './frames.ts';
import { command, take } from './inbox.ts';
import { TRANSPORT_LABEL, wireRawPair, type RawTransport } from './raw-relays.ts';
import { burstOnce, measureBurst } from './scenarios/burst.ts';
import { measureDevtools } from './scenarios/devtools.ts';
import { measureFlood } from './scenarios/flood.ts';
import { measureMount } from './scenarios/mount.ts';
import { measureRtt } from './scenarios/rtt.ts';
import { portCloseCost } from './port-close.ts';
import { profileCosts } from './profile.ts';

/** How much to run; `scale` < 1 gives a quick smoke run. */
export interface BenchOptions {
  scale?: number;
  only?: string[];
  /** Burst repeats (default 5): more give a steadier median on a loaded machine. */
  repeats?: number;
}

const start = performance.now();
const log = (line: string) =>
  console.log(`[bench] ${((performance.now() - start) / 1000).toFixed(1)} s: ${line}`);

function newCanvas(id: string): McCanvas {
  const canvas = document.createElement('mc-canvas');
  canvas.id = id;
  canvas.style.cssText = 'width:900px;height:460px';
  document.body.append(canvas);
  return canvas;
}

async function init(win: Window, args: Record<string, unknown>): Promise<void> {
  command(win, 'init', args);
  await take(win, 'init-done');
}

/** The isolation path's label: SDK clients on ports straight to the real Broker class. */
export const DIRECT_LABEL = 'SDK + Broker in a plain Worker (no host, penpal, comlink)';

/**
 * Two SDK clients in raw frames, on ports straight to the shell's `Broker` in a Worker the
 * bench made; returns the pinger's window.
 */
async function directPair(box: HTMLElement): Promise<Window> {
  const worker = new Worker(new URL('./broker-clone-worker.ts', import.meta.url), {
    type: 'module',
    name: 'broker-clone',
  });
  const call = (message: Record<string, unknown>, transfer: Transferable[] = []) =>
    new Promise<void>((resolve) => {
      worker.addEventListener('message', () => resolve(), { once: true });
      worker.postMessage(message, transfer);
    });
  await call({ cmd: 'register', manifest: pairManifest('clonea', 'cloneb') });
  await call({ cmd: 'register', manifest: pairManifest('cloneb', 'clonea') });
  const wins: Window[] = [];
  for (const appId of ['clonea', 'cloneb']) {
    const { win } = await rawFrame(box, 'sdk-direct.html');
    const { port1, port2 } = new MessageChannel();
    await call({ cmd: 'attach', id: appId, app: appId }, [port1]);
    command(win, 'connect', { appId }, [port2]);
    await take(win, 'connected');
    wins.push(win);
  }
  await init(wins[1]!, { role: 'echoer', peer: 'clonea' });
  await init(wins[0]!, { role: 'pinger', peer: 'cloneb' });
  return wins[0]!;
}

async function runBench(options: BenchOptions = {}): Promise<Record<string, unknown>> {
  const scale = options.scale ?? 1;
  const wants = (name: string) => !options.only || options.only.includes(name);
  const count = (n: number) => Math.max(20, Math.round(n * scale));
  const results: Record<string, unknown> = {
    env: {
      userAgent: navigator.userAgent,
      hardwareConcurrency: navigator.hardwareConcurrency,
      crossOriginIsolated,
      page: location.origin,
      widgets: WIDGET_ORIGIN,
      flooder: FLOOD_ORIGIN,
    },
  };
  const frameCoi: Record<string, unknown> = {};
  results.frames = frameCoi;

  const canvas = newCanvas('main');
  const host = canvas.host;
  await host.stats(); // the broker Worker is up before anything is timed
  // Bursts fit the broker's per-subscriber window + queue (1024 + 4096 operations); a larger
  // one-turn burst is run once below to show what happens past it.
  const burstN = count(4000);
  host.register(pairManifest('bencha', 'benchb'));
  host.register(pairManifest('benchb', 'bencha'));
  // The same pair with payload schemas on every topic it publishes (docs/typed-topics.md):
  // what a schema costs on the hot path, in the same run.
  const seq = { type: 'integer', minimum: 0 };
  const schemas = (id: string) => ({
    topics: Object.fromEntries(
      ['ping', 'pong', 'burst', 'start', 'done'].map((t) => [
        `${id}.${t}.sent`,
        t === 'done' ? true : seq,
      ]),
    ),
  });
  host.register({
    ...pairManifest('benchs', 'bencht'),
    schemas: schemas('benchs'),
  });
  host.register({ ...pairManifest('bencht', 'benchs'), schemas: schemas('bencht') });
  host.register(pairManifest('benchg', 'benchh'));
  host.register(pairManifest('benchh', 'benchg'));
  host.register({
    id: 'benchf',
    name: 'bench flooder (SDK)',
    url: `${FLOOD_ORIGIN}/bench/fixtures/flood.html`,
    publishes: ['benchf.flood.sent'],
  });
  host.register({
    id: 'benchx',
    name: 'bench flooder (raw port)',
    url: `${FLOOD_ORIGIN}/bench/fixtures/hostile.html`,
    publishes: ['benchx.flood.sent'],
  });

  const a = await mountFixture(canvas, 'bencha', { x: 0, y: 0 });
  const b = await mountFixture(canvas, 'benchb', { x: 170, y: 0 });
  frameCoi.microcanvasWidget = a.hello.coi;
  await init(b.win, { role: 'echoer', peer: 'bencha' });
  await init(a.win, { role: 'pinger', peer: 'benchb' });
  const sa = await mountFixture(canvas, 'benchs', { x: 0, y: 130 });
  const sb = await mountFixture(canvas, 'bencht', { x: 170, y: 130 });
  await init(sb.win, { role: 'echoer', peer: 'benchs' });
  await init(sa.win, { role: 'pinger', peer: 'bencht' });

  const rawBox = document.createElement('div');
  document.body.append(rawBox);
  const transports: RawTransport[] = [
    'port-host',
    'port-worker',
    'window',
    'direct',
    'worker-json',
  ];
  const raw = new Map<RawTransport, Window>();
  for (const t of transports) {
    const ra = await rawFrame(rawBox);
    const rb = await rawFrame(rawBox);
    frameCoi.rawFrame = ra.hello.coi;
    await wireRawPair(t, ra.win, rb.win);
    raw.set(t, ra.win);
  }
  const direct = await directPair(rawBox);
  log('set up');

  // A scenario that fails is reported as such; the others still run.
  const errors: Record<string, string> = {};
  results.errors = errors;
  const section = async (name: string, body: () => Promise<void>) => {
    if (!wants(name)) return;
    try {
      await body();
    } catch (error) {
      errors[name] = String(error);
      log(`${name} failed: ${String(error)}`);
    }
  };

  await section('profile', async () => {
    results.profile = await profileCosts();
    results.portClose = await portCloseCost();
  });

  await section('rtt', async () => {
    results.rtt = await measureRtt(
      [
        { name: 'microcanvas', pinger: a.win },
        { name: 'microcanvas, payload schemas', pinger: sa.win },
        ...transports.map((t) => ({ name: TRANSPORT_LABEL[t], pinger: raw.get(t)! })),
        { name: DIRECT_LABEL, pinger: direct },
      ],
      { rounds: 12, n: count(250), warmup: count(300) },
      log,
    );
  });

  await section('devtools', async () => {
    results.devtools = await measureDevtools(
      host,
      a.win,
      { rounds: 12, n: count(250), warmup: count(300) },
      log,
    );
  });

  await section('burst', async () => {
    // All N published in one turn: the SDK splits its batch at the broker's bounds (1024 ops).
    results.burst = await measureBurst(
      [
        { name: 'microcanvas, all in one turn', sender: a.win },
        { name: 'microcanvas with payload schemas, all in one turn', sender: sa.win },
        { name: TRANSPORT_LABEL['port-host'], sender: raw.get('port-host')! },
        { name: TRANSPORT_LABEL['port-worker'], sender: raw.get('port-worker')! },
      ],
      { n: burstN, repeats: options.repeats ?? 5, warmupN: count(2000) },
      log,
    );
    const bigN = count(20_000);
    results.burstBig = { n: bigN, ...(await burstOnce({ name: 'big', sender: a.win }, bigN)) };
    log(`burst of ${bigN} in one turn: ${JSON.stringify(results.burstBig)}`);
  });

  await section('flood', async () => {
    const g = await mountFixture(canvas, 'benchg', { x: 340, y: 0 });
    const h = await mountFixture(canvas, 'benchh', { x: 510, y: 0 });
    await init(h.win, { role: 'echoer', peer: 'benchg' });
    await init(g.win, { role: 'pinger', peer: 'benchh' });
    const floodN = count(100_000);
    results.flood = await measureFlood(
      canvas,
      g.win,
      [
        { name: 'SDK, 100k publishes in one turn', app: 'benchf', n: floodN },
        { name: 'SDK, 100k publishes, 1000 per turn', app: 'benchf', n: floodN, perTurn: 1000 },
        { name: 'raw port, 100k single-op messages', app: 'benchx', n: floodN },
        { name: 'raw port, 100k ack-only messages', app: 'benchx', n: floodN, op: 'ack' },
      ],
      { n: count(1000), warmup: count(300) },
      log,
    );
    results.floodStats = await host.stats();
  });

  await section('mount', async () => {
    const mountCanvas = newCanvas('mount');
    await mountCanvas.host.stats();
    mountCanvas.host.register({
      id: 'benchready',
      name: 'bench ready',
      url: `${WIDGET_ORIGIN}/bench/fixtures/ready.html`,
    });
    const box = document.createElement('div');
    document.body.append(box);
    results.mount = await measureMount(mountCanvas, box, 'benchready', scale < 1 ? 2 : 5, log);
  });
  return results;
}

declare global {
  interface Window {
    runBench: typeof runBench;
  }
}
window.runBench = runBench;
log('page ready');
