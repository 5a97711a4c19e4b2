/**
 * `npm run bench:server -- fanout`: publish → deliver latency fanned out to 1,000 WebSocket
 * clients, beside a raw `ws` broadcast of the same event frames in the same run; deliveries
 * per second; memory per idle connection; reconnect-and-resume of every client. On the
 * embedded engine (one process), then two processes through Redis and through NATS.
 *
 * Servers run in child processes (forked with --expose-gc, so memory is measured after a
 * full collection and the clients' work is not counted as the server's); the clients and
 * publishers all run in this process, so every latency is two readings of one clock. Both
 * sides share the machine's two cores, raw baseline included: compare ratios.
 *
 *   npm run bench:server -- fanout [--clients 1000] [--events 150] [--pace 10]
 *                                  [--only raw,embedded,redis,nats]
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { dropNats, dropRedis, NATS_URL, REDIS_URL } from '../../test/server/helpers/engines.ts';
import { signToken } from '../transport/index.ts';
import {
  Follower,
  paced,
  pool,
  Publisher,
  Recorder,
  sleep,
  until,
  type Target,
} from './fanout-clients.ts';
import type { FromServer, ServerSpec, ToServer } from './fanout-server.ts';

const { values: args } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== 'fanout'),
  options: {
    clients: { type: 'string', default: '1000' },
    events: { type: 'string', default: '150' },
    pace: { type: 'string', default: '10' },
    only: { type: 'string', default: 'raw,embedded,redis,nats' },
    json: { type: 'string', default: '.ci/results/bench-server.json' },
  },
});
const CLIENTS = Number(args.clients);
/** Events of the latency phase, one publisher at PACE per second. */
const EVENTS = Number(args.events);
const PACE = Number(args.pace);
/** Burst phase: BURST_PUBLISHERS at BURST_PACE each (under the 50 frames/s limit). */
const BURST_PUBLISHERS = 4;
const BURST_PACE = 45;
const BURST_SECONDS = 2;
/** Events published while every client is away, before they all reconnect. */
const AWAY = 50;
const WARMUP = 20;
const PAD = 'x'.repeat(96);
const ORIGIN = 'http://bench.test';
const SECRET = randomBytes(32).toString('base64url');
const SPACE = 'bench';
/** 1,000 clients are 500 users with two devices each (a space has at most 1,000 members). */
const USERS = Math.ceil(CLIENTS / 2);

interface ServerProcess {
  readonly url: string;
  memory(): Promise<{ rss: number; heap: number }>;
  stop(): Promise<void>;
}

/** Forks server/bench/fanout-server.ts and waits for its address. */
async function startServer(spec: ServerSpec): Promise<ServerProcess> {
  const child: ChildProcess = fork(fileURLToPath(new URL('fanout-server.ts', import.meta.url)), {
    execArgv: [
      '--import',
      'tsx',
      '--expose-gc',
      ...(process.env.MC_BENCH_PROF
        ? ['--cpu-prof', `--cpu-prof-dir=${process.env.MC_BENCH_PROF}`]
        : []),
    ],
    env: { ...process.env, MC_BENCH: JSON.stringify(spec) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const next = () =>
    new Promise<FromServer>((resolve, reject) => {
      child.once('message', (m) => resolve(m as FromServer));
      child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
    });
  const ready = await next();
  if (ready.t !== 'ready') throw new Error('bench server did not start');
  const ask = (message: ToServer) => child.send(message);
  return {
    url: ready.url,
    async memory() {
      const reply = next();
      ask({ t: 'memory' });
      const m = await reply;
      if (m.t !== 'memory') throw new Error('no memory reading');
      return m;
    },
    async stop() {
      const gone = new Promise((resolve) => child.once('exit', resolve));
      ask({ t: 'stop' });
      await Promise.race([gone, sleep(10_000).then(() => child.kill('SIGKILL'))]);
    },
  };
}

const quantile = (sorted: Float64Array, q: number) =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

interface Result {
  scenario: string;
  processes: number;
  clients: number;
  latency: { events: number; delivered: number; p50: number; p99: number; max: number };
  burst: {
    events: number;
    delivered: number;
    perSec: number;
    perSecPerProcess: number;
    catchUps: number;
  };
  memory?: { rssPerConnection: number; heapPerConnection: number };
  reconnect?: {
    ms: number;
    away: number;
    unrecovered: number;
    gaps: number;
    duplicates: number;
  };
}

const T0 = performance.now();

/** One scenario's servers and clients; clients are spread over the servers in turn. */
class Rig {
  readonly recorder = new Recorder();
  readonly followers: Follower[] = [];
  readonly publishers: Publisher[] = [];
  readonly latencies: number[] = [];
  readonly scenario: string;
  readonly servers: ServerProcess[];
  readonly raw: boolean;
  memory: Result['memory'];
  #seq = 0;

  constructor(scenario: string, servers: ServerProcess[], raw: boolean) {
    this.scenario = scenario;
    this.servers = servers;
    this.raw = raw;
  }

  log(what: string): void {
    const at = ((performance.now() - T0) / 1000).toFixed(1);
    console.error(`${at.padStart(6)} s [${this.scenario}] ${what}`);
  }

  #target(i: number): Target {
    return { url: this.servers[i % this.servers.length]!.url, origin: ORIGIN };
  }

  #token(user: string) {
    return this.raw ? undefined : signToken(SECRET, user, 3_600);
  }

  /** Connects every client (measuring the server's memory around it) and follows the space. */
  async open(): Promise<void> {
    for (let i = 0; i < CLIENTS; i++) {
      const token = await this.#token(`u${i % USERS}`);
      this.followers.push(new Follower(this.#target(i), token, this.recorder));
    }
    const single = this.servers.length === 1 ? this.servers[0] : undefined;
    const before = await single?.memory();
    const started = performance.now();
    await pool(this.followers, 50, (f) => f.open());
    this.log(`${CLIENTS} connected in ${Math.round(performance.now() - started)} ms`);
    if (single !== undefined && before !== undefined) {
      await sleep(500);
      const after = await single.memory();
      this.memory = {
        rssPerConnection: (after.rss - before.rss) / CLIENTS,
        heapPerConnection: (after.heap - before.heap) / CLIENTS,
      };
    }
    if (!this.raw) await pool(this.followers, 50, (f) => f.follow(SPACE, 1));
    // The publishers are on the first process: on a cluster, half the clients hear through
    // the engine's pub/sub.
    for (let p = 0; p < BURST_PUBLISHERS; p++) {
      const publisher = new Publisher(this.#target(0), await this.#token(`pub${p}`), SPACE);
      await publisher.open();
      this.publishers.push(publisher);
    }
    await this.phase(WARMUP, PACE, 1, 10_000);
  }

  /** Publishes `n` events from `pubs` publishers at `perSec` each; waits for every delivery. */
  async phase(n: number, perSec: number, pubs: number, ms: number): Promise<void> {
    const recorder = this.recorder;
    recorder.reset();
    recorder.firstSentAt = performance.now();
    await Promise.all(
      this.publishers
        .slice(0, pubs)
        .map((pub) => paced(n / pubs, perSec, () => pub.publish(this.#seq++, PAD))),
    );
    const complete = await until(() => recorder.delivered >= n * CLIENTS, ms);
    if (!complete) this.log(`only ${recorder.delivered} of ${n * CLIENTS} deliveries arrived`);
  }

  /** A round of the latency phase, its latencies kept. */
  async latencyRound(n: number): Promise<void> {
    await this.phase(n, PACE, 1, 30_000);
    const round = Float64Array.from(this.recorder.latencies).sort();
    this.log(
      `round: p50 ${quantile(round, 0.5).toFixed(1)} ms, p99 ${quantile(round, 0.99).toFixed(1)} ms`,
    );
    for (const latency of this.recorder.latencies) this.latencies.push(latency);
  }

  latency(): Result['latency'] {
    const sorted = Float64Array.from(this.latencies).sort();
    return {
      events: EVENTS,
      delivered: sorted.length,
      p50: quantile(sorted, 0.5),
      p99: quantile(sorted, 0.99),
      max: sorted.at(-1) ?? NaN,
    };
  }

  async burst(): Promise<Result['burst']> {
    const events = BURST_PUBLISHERS * BURST_PACE * BURST_SECONDS;
    const before = this.raw ? 0 : await this.catchUps();
    await this.phase(events, BURST_PACE, BURST_PUBLISHERS, 60_000);
    const { recorder } = this;
    const perSec = recorder.delivered / ((recorder.lastAt - recorder.firstSentAt) / 1000);
    const catchUps = this.raw ? 0 : (await this.catchUps()) - before;
    this.log(`burst ${Math.round(perSec)} deliveries/s, ${catchUps} follower catch-ups`);
    return {
      catchUps,
      events,
      delivered: recorder.delivered,
      perSec,
      perSecPerProcess: perSec / this.servers.length,
    };
  }

  /**
   * Drops every client, publishes AWAY events, then times until every client reconnected,
   * followed from its last offset and received everything up to the newest event.
   */
  async reconnect(): Promise<Result['reconnect']> {
    const { followers, publishers } = this;
    const [publisher] = publishers as [Publisher];
    await until(() => publishers.every((p) => p.sent === p.acked), 10_000);
    for (const f of followers) f.ws!.terminate();
    await sleep(500);
    await paced(AWAY, PACE, () => publisher.publish(this.#seq++, PAD));
    await until(() => publisher.sent === publisher.acked, 10_000);
    const head = Math.max(...publishers.map((p) => p.lastOffset));
    const started = performance.now();
    await pool(followers, 100, async (f) => {
      await f.open();
      await f.follow(SPACE, 2);
    });
    const caughtUp = await until(() => followers.every((f) => f.last === head), 30_000);
    const ms = performance.now() - started;
    if (!caughtUp) {
      const behind = followers.filter((f) => f.last !== head);
      this.log(`${behind.length} clients behind the head (${head}), e.g. at ${behind[0]!.last}`);
    }
    const sum = (k: 'gaps' | 'duplicates' | 'unrecovered') =>
      followers.reduce((n, f) => n + f[k], 0);
    const result = {
      ms,
      away: AWAY,
      unrecovered: sum('unrecovered'),
      gaps: sum('gaps'),
      duplicates: sum('duplicates'),
    };
    this.log(`reconnect ${Math.round(ms)} ms, ${result.gaps} gaps, ${result.duplicates} dup`);
    return result;
  }

  /**
   * Log reads the servers made to put a follower's events back in order
   * (microcanvas_bus_catch_ups_total, summed over the processes).
   */
  async catchUps(): Promise<number> {
    let sum = 0;
    for (const server of this.servers) {
      const text = await (await fetch(`${server.url}/metrics`)).text();
      const line = text.split('\n').find((l) => l.startsWith('microcanvas_bus_catch_ups_total'));
      sum += Number(line?.split(' ').at(-1) ?? 0);
    }
    return sum;
  }

  async close(): Promise<void> {
    for (const s of [...this.followers, ...this.publishers]) s.ws?.terminate();
    await sleep(500); // the servers see them go before they are stopped
    await Promise.all(this.servers.map((s) => s.stop()));
  }

  result(burst: Result['burst'], reconnect?: Result['reconnect']): Result {
    return {
      scenario: this.scenario,
      processes: this.servers.length,
      clients: CLIENTS,
      latency: this.latency(),
      burst,
      ...(this.memory ? { memory: this.memory } : {}),
      ...(reconnect ? { reconnect } : {}),
    };
  }
}

/** Latency rounds alternate between the rigs, so a slow moment of the machine hits both. */
const ROUNDS = 3;

const only = new Set(args.only.split(','));
const results: Result[] = [];
const spaceSpec = {
  id: SPACE,
  members: [
    ...Array.from({ length: USERS }, (_, i) => `u${i}`),
    ...Array.from({ length: BURST_PUBLISHERS }, (_, p) => `pub${p}`),
  ],
};
const mcSpec = { kind: 'microcanvas' as const, secret: SECRET, origin: ORIGIN };

// The raw baseline and the embedded server run side by side, their rounds alternating.
const dir = mkdtempSync(join(tmpdir(), 'mc-bench-'));
const single: Rig[] = [];
try {
  if (only.has('raw')) {
    single.push(new Rig('raw ws broadcast', [await startServer({ kind: 'raw' })], true));
  }
  if (only.has('embedded')) {
    const engine = { engine: 'embedded' as const, url: join(dir, 'bench.db') };
    const server = await startServer({ ...mcSpec, engine, space: spaceSpec });
    single.push(new Rig('embedded, 1 process', [server], false));
  }
  for (const rig of single) await rig.open();
  for (let round = 0; round < ROUNDS; round++) {
    for (const rig of single) await rig.latencyRound(EVENTS / ROUNDS);
  }
  for (const rig of single) {
    const burst = await rig.burst();
    results.push(rig.result(burst, rig.raw ? undefined : await rig.reconnect()));
  }
} finally {
  await Promise.all(single.map((rig) => rig.close()));
  rmSync(dir, { recursive: true, force: true });
}
for (const kind of ['redis', 'nats'] as const) {
  if (!only.has(kind)) continue;
  const namespace = `bench${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const engine = { engine: kind, url: kind === 'redis' ? REDIS_URL : NATS_URL, namespace };
  const servers: ServerProcess[] = [];
  let rig: Rig | undefined;
  try {
    servers.push(await startServer({ ...mcSpec, engine, space: spaceSpec }));
    servers.push(await startServer({ ...mcSpec, engine }));
    rig = new Rig(`${kind}, 2 processes`, servers, false);
    await rig.open();
    for (let round = 0; round < ROUNDS; round++) await rig.latencyRound(EVENTS / ROUNDS);
    const burst = await rig.burst();
    results.push(rig.result(burst, await rig.reconnect()));
  } finally {
    await (rig ? rig.close() : Promise.all(servers.map((s) => s.stop())));
    await (kind === 'redis' ? dropRedis(REDIS_URL, namespace) : dropNats(NATS_URL, namespace));
  }
}

const raw = results.find((r) => r.scenario.startsWith('raw'));
const ms = (x: number | undefined) => (x === undefined ? '–' : `${x.toFixed(1)} ms`);
const ratio = (x: number, base: number | undefined) =>
  base === undefined ? '' : ` (${(x / base).toFixed(2)}×)`;
const kib = (x: number | undefined) => (x === undefined ? '–' : `${(x / 1024).toFixed(1)} KiB`);
const rows = results.map((r) => [
  r.scenario,
  `${ms(r.latency.p50)}${ratio(r.latency.p50, raw?.latency.p50)}`,
  `${ms(r.latency.p99)}${ratio(r.latency.p99, raw?.latency.p99)}`,
  `${Math.round(r.burst.perSecPerProcess).toLocaleString('en')}${ratio(r.burst.perSec, raw?.burst.perSec)}`,
  `${kib(r.memory?.rssPerConnection)} / ${kib(r.memory?.heapPerConnection)}`,
  r.reconnect === undefined
    ? '–'
    : `${ms(r.reconnect.ms)}, ${r.reconnect.gaps} gaps, ${r.reconnect.duplicates} dup`,
]);
const head = [
  'scenario',
  'p50 (× raw)',
  'p99 (× raw)',
  'deliveries/s per process (× raw)',
  'RSS / heap per idle conn.',
  `reconnect + resume ${CLIENTS}`,
];
const widths = head.map((h, c) => Math.max(h.length, ...rows.map((row) => row[c]!.length)));
const line = (cells: string[]) => `| ${cells.map((x, c) => x.padEnd(widths[c]!)).join(' | ')} |`;
console.log(
  `\n${CLIENTS} clients (${USERS} users × 2 devices), latency: ${EVENTS} events at ${PACE}/s ` +
    `from one publisher; burst: ${BURST_PUBLISHERS} publishers × ${BURST_PACE}/s for ` +
    `${BURST_SECONDS} s; resume after ${AWAY} events missed\n`,
);
console.log(line(head));
console.log(line(widths.map((w) => '-'.repeat(w))));
for (const row of rows) console.log(line(row));
const targets = results
  .filter((r) => !r.scenario.startsWith('raw'))
  .map((r) =>
    r.processes === 1
      ? `${r.scenario}: p99 ≤ 1.5× raw: ${raw ? (r.latency.p99 / raw.latency.p99 <= 1.5 ? 'met' : 'MISSED') : 'no baseline'}`
      : `${r.scenario}: p99 ≤ 50 ms: ${r.latency.p99 <= 50 ? 'met' : 'MISSED'}`,
  );
console.log(`\n${targets.join('\n')}`);
mkdirSync(join(args.json, '..'), { recursive: true });
writeFileSync(args.json, JSON.stringify({ date: new Date().toISOString(), results }, null, 2));
console.log(`\nwritten to ${args.json}`);
