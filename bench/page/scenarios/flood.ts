import type { McCanvas } from '../../../shell/elements/mc-canvas.ts';
import { McSuspendedEvent, McViolationEvent } from '../../../shell/host/host-events.ts';
import { mountFixture } from '../frames.ts';
import { command, forget, take } from '../inbox.ts';
import { quantile, sleep, summarize, type Summary } from '../stats.ts';
import { ping } from './rtt.ts';

/** One way of flooding the broker. */
export interface FloodVariant {
  name: string;
  /** The registered flooder app (a fresh slot is mounted per run). */
  app: string;
  n: number;
  /** SDK flooder: publishes per macrotask turn; omitted = all in one turn. */
  perTurn?: number;
  /** Raw-port flooder: what each message carries (`pub` by default, or `ack`). */
  op?: 'pub' | 'ack';
}

export interface FloodResult {
  name: string;
  under: Summary;
  longTasks: { count: number; totalMs: number; maxMs: number };
  raf: { frames: number; p95GapMs: number; maxGapMs: number };
  /** Latency of `host.stats()` (page → broker Worker → page over comlink), polled back to back. */
  brokerProbe: { calls: number; p95Ms: number; maxMs: number };
  /** `mc-violation` events the host page received (one comlink call each). */
  violationEvents: number;
  suspended: boolean;
  suspendedAfterMs: number | null;
  flooderPostMs: number | null;
  flooderSaw: unknown;
  windowMs: number;
  /** G's pings that got no pong within 10 s. */
  lost: number;
}

const longTasks: PerformanceEntry[] = [];
new PerformanceObserver((list) => longTasks.push(...list.getEntries())).observe({
  type: 'longtask',
});

function longTasksBetween(t0: number, t1: number): FloodResult['longTasks'] {
  const hits = longTasks.filter((e) => e.startTime + e.duration >= t0 && e.startTime <= t1);
  return {
    count: hits.length,
    totalMs: hits.reduce((s, e) => s + e.duration, 0),
    maxMs: Math.max(0, ...hits.map((e) => e.duration)),
  };
}

/** Records animation-frame gaps on the host page until the returned function is called. */
function watchFrames(): () => FloodResult['raf'] {
  const gaps: number[] = [];
  let last = -1;
  let running = true;
  const tick = (t: number) => {
    if (last >= 0) gaps.push(t - last);
    last = t;
    if (running) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  return () => {
    running = false;
    const sorted = gaps.sort((a, b) => a - b);
    return { frames: gaps.length, p95GapMs: quantile(sorted, 0.95), maxGapMs: sorted.at(-1) ?? 0 };
  };
}

/** Polls the broker Worker with `host.stats()` every ~5 ms until the returned function is called. */
function probeBroker(canvas: McCanvas): () => Promise<FloodResult['brokerProbe']> {
  const lat: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const t = performance.now();
      await canvas.host.stats();
      lat.push(performance.now() - t);
      await sleep(5); // gentle: the probe must not become load itself
    }
  })();
  return async () => {
    running = false;
    await loop;
    const sorted = lat.sort((a, b) => a - b);
    return { calls: lat.length, p95Ms: quantile(sorted, 0.95), maxMs: sorted.at(-1) ?? 0 };
  };
}

async function floodOnce(
  canvas: McCanvas,
  g: Window,
  variant: FloodVariant,
  n: number,
  index: number,
): Promise<FloodResult> {
  const flooder = await mountFixture(canvas, variant.app, { x: 680, y: 20 + index * 100 });
  await sleep(200);
  let suspendedAt: number | null = null;
  const onSuspended = (event: Event) => {
    if ((event as McSuspendedEvent).slotId === flooder.slotId) suspendedAt = performance.now();
  };
  let violationEvents = 0;
  const onViolation = () => violationEvents++;
  canvas.host.addEventListener(McSuspendedEvent.type, onSuspended);
  canvas.host.addEventListener(McViolationEvent.type, onViolation);
  const frames = watchFrames();
  const probe = probeBroker(canvas);
  const t0 = performance.now();
  command(flooder.win, 'flood', { n: variant.n, perTurn: variant.perTurn, op: variant.op });
  const { rtt, lost } = await ping(g, n);
  const t1 = performance.now();
  const raf = frames();
  const brokerProbe = await probe();
  const flooded = await take(flooder.win, 'flooded', 30_000).catch(() => null);
  await sleep(300);
  canvas.host.removeEventListener(McSuspendedEvent.type, onSuspended);
  canvas.host.removeEventListener(McViolationEvent.type, onViolation);
  canvas.unmount(flooder.slotId);
  forget(flooder.win);
  const { errors, received } = (flooded ?? {}) as { errors?: unknown; received?: unknown };
  return {
    name: variant.name,
    under: summarize(rtt),
    longTasks: longTasksBetween(t0, t1),
    raf,
    brokerProbe,
    violationEvents,
    suspended: suspendedAt !== null,
    suspendedAfterMs: suspendedAt === null ? null : suspendedAt - t0,
    flooderPostMs: typeof flooded?.ms === 'number' ? flooded.ms : null,
    flooderSaw: errors ?? received ?? null,
    windowMs: t1 - t0,
    lost,
  };
}

/**
 * Scenario 4: G ⇄ H round trips unloaded, then with a flooder started at the same moment,
 * once per variant; unloaded runs are interleaved with the flooded ones and pooled.
 */
export async function measureFlood(
  canvas: McCanvas,
  g: Window,
  variants: readonly FloodVariant[],
  { n, warmup }: { n: number; warmup: number },
  log: (line: string) => void,
): Promise<{ unloaded: Summary; variants: FloodResult[] }> {
  await ping(g, warmup);
  const unloaded: number[] = [];
  const results: FloodResult[] = [];
  for (const [i, variant] of variants.entries()) {
    unloaded.push(...(await ping(g, n)).rtt);
    await sleep(100);
    const result = await floodOnce(canvas, g, variant, n, i);
    results.push(result);
    log(
      `flood ${variant.name}: G⇄H p99 ${result.under.p99.toFixed(2)} ms, max ${result.under.max.toFixed(1)} ms, ` +
        `suspended ${result.suspended}, long tasks ${result.longTasks.count}`,
    );
    await sleep(200);
  }
  return { unloaded: summarize(unloaded), variants: results };
}
