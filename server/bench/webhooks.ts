/**
 * `npm run bench:server -- webhooks`: webhook deliveries per second with signing, per engine,
 * beside a raw baseline in the same run: the same POSTs (the same bodies, unsigned) sent
 * straight from a loop with the same HTTP client settings (node:http, one connection per
 * request, one request at a time per endpoint), to the same receiver. Rounds alternate raw
 * and dispatched; medians.
 *
 * Dispatched: a server in this process (its dispatcher with its default settings) delivers
 * `--endpoints` webhooks of one app; the bench appends the events to their streams as the
 * router does (`wh.<app>.<name>`, dedup by event id), and each delivery costs the outbox
 * take, the state record write, the ack, signing and the POST, one event at a time per
 * webhook. Both rates are measured at the receiver (a child process that answers 204 at
 * once), from the round's first arrival to its last. Absolute figures drift between runs on
 * a shared machine: compare the ratio.
 *
 *   npm run bench:server -- webhooks [--events 600] [--endpoints 1,8] [--rounds 3]
 *                                    [--only embedded,redis,nats]
 */
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { pino } from 'pino';

import { dropNats, dropRedis, NATS_URL, REDIS_URL } from '../../test/server/helpers/engines.ts';
import { encodeBackendEvent } from '../delivery/event-codec.ts';
import { webhookStream, type BackendEvent } from '../delivery/types.ts';
import type { EngineConfig, EngineName } from '../engine/index.ts';
import { createServer, type McServer } from '../server.ts';
import { webhookBody } from '../webhooks/payload.ts';

const { values: args } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== 'webhooks'),
  options: {
    events: { type: 'string', default: '600' },
    endpoints: { type: 'string', default: '1,8' },
    rounds: { type: 'string', default: '3' },
    only: { type: 'string', default: 'embedded,redis,nats' },
    json: { type: 'string', default: '.ci/results/bench-webhooks.json' },
  },
});
const EVENTS = Number(args.events);
const ROUNDS = Number(args.rounds);
const ENDPOINTS = args.endpoints.split(',').map(Number);
const ADMIN = randomBytes(32).toString('base64url');
const APP = 'bench';
const SECRET = `whsec_${randomBytes(32).toString('base64')}`;

interface Row {
  engine: EngineName;
  endpoints: number;
  /** deliveries/s, median of the rounds. */
  signed: number;
  raw: number;
  rounds: { signed: number[]; raw: number[] };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function startSink(): Promise<{ url: string; stop: () => void }> {
  const file = fileURLToPath(new URL('webhook-sink.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', file], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString().trim()));
    child.once('exit', (code) => reject(new Error(`sink exited with ${code}`)));
  });
  return { url, stop: () => child.kill('SIGKILL') };
}

interface Span {
  readonly count: number;
  readonly first?: number;
  readonly last?: number;
}

async function span(sink: string, path: string, from: number): Promise<Span> {
  const url = `${sink}/span?path=${encodeURIComponent(path)}&from=${from}`;
  return (await (await fetch(url)).json()) as Span;
}

/**
 * Waits until every path has `target` arrivals (polling every 5 ms), then the rate of the
 * round at the receiver: arrivals from each path's `from`-th on, over the time from the
 * earliest of them to the latest.
 */
async function rateAt(sink: string, paths: Array<{ path: string; from: number; target: number }>) {
  const deadline = performance.now() + 300_000;
  for (;;) {
    const spans = await Promise.all(paths.map((p) => span(sink, p.path, p.from)));
    if (spans.every((s, i) => s.count >= paths[i]!.target)) {
      const first = Math.min(...spans.map((s) => s.first!));
      const last = Math.max(...spans.map((s) => s.last!));
      const n = paths.reduce((sum, p) => sum + p.target - p.from, 0);
      return (n - 1) / ((last - first) / 1000);
    }
    if (performance.now() > deadline) throw new Error('the round did not finish in time');
    await sleep(5);
  }
}

/** Tells one engine's paths at the receiver from another's (it runs for the whole bench). */
let runTag = '';
let sequence = 0;
function event(n: number): BackendEvent {
  return {
    id: `bench-${randomUUID()}`,
    space: 'bench',
    app: 'calendar',
    topic: 'calendar.date.selected',
    data: JSON.stringify({ n, date: '2026-12-03', note: 'x'.repeat(100) }),
    by: { user: 'ann', device: 'laptop' },
    time: Date.now() + sequence++,
  };
}

/** One POST as the dispatcher makes it (node:http, no keep-alive), unsigned. */
function post(url: URL, body: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'POST',
      agent: false,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
    });
    req.on('error', reject);
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve());
    });
    req.end(body);
  });
}

/** Raw: `k` loops, each POSTing its share of the bodies one after the other. */
async function rawRound(sink: string, k: number, round: number): Promise<number> {
  const path = (loop: number) => `/raw/${runTag}/${k}/${round}/${loop}`;
  await Promise.all(
    Array.from({ length: k }, async (_, loop) => {
      const url = new URL(`${sink}${path(loop)}`);
      for (let n = loop; n < EVENTS; n += k) await post(url, webhookBody(event(n)));
    }),
  );
  return rateAt(
    sink,
    Array.from({ length: k }, (_, loop) => ({
      path: path(loop),
      from: 0,
      target: Math.ceil((EVENTS - loop) / k),
    })),
  );
}

/** Signed: the events appended to `k` webhooks' streams, delivered by the dispatcher. */
async function signedRound(server: McServer, sink: string, k: number, seen: number[]) {
  const from = [...seen];
  await Promise.all(
    Array.from({ length: k }, async (_, hook) => {
      for (let n = hook; n < EVENTS; n += k) {
        const e = event(n);
        await server.engine.log.append(webhookStream(APP, `h${hook}`), encodeBackendEvent(e), e.id);
      }
    }),
  );
  for (let hook = 0; hook < k; hook++) seen[hook]! += Math.ceil((EVENTS - hook) / k);
  return rateAt(
    sink,
    Array.from({ length: k }, (_, hook) => ({
      path: `/hook/${runTag}/${k}/${hook}`,
      from: from[hook]!,
      target: seen[hook]!,
    })),
  );
}

/** Registers the bench app with `k` webhooks and waits until this process holds them. */
async function register(server: McServer, sink: string, k: number): Promise<void> {
  const headers = { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' };
  const entry = {
    manifest: {
      id: APP,
      name: 'Bench',
      url: 'https://bench.apps.example/widget.html',
      subscribes: ['calendar.date.selected'],
    },
    version: '1.0.0',
    backend: {
      url: sink,
      webhooks: Array.from({ length: k }, (_, hook) => ({
        name: `h${hook}`,
        url: `/hook/${runTag}/${k}/${hook}`,
        topics: ['calendar.date.selected'],
        secrets: [SECRET],
      })),
    },
  };
  const current = await fetch(`${server.url}/registry/apps/${APP}`, { headers });
  const etag = current.headers.get('etag');
  await current.body?.cancel();
  const put = await fetch(`${server.url}/registry/apps/${APP}`, {
    method: 'PUT',
    headers: { ...headers, ...(current.ok ? { 'if-match': etag! } : { 'if-none-match': '*' }) },
    body: JSON.stringify(entry),
  });
  if (!put.ok) throw new Error(`register: ${put.status} ${await put.text()}`);
  for (let hook = 0; hook < k; hook++) {
    for (;;) {
      const res = await fetch(`${server.url}/admin/webhooks/${APP}/h${hook}`, { headers });
      const status = (await res.json()) as { heldBy?: string };
      if (status.heldBy !== undefined) break;
      await sleep(20);
    }
  }
}

async function engineRows(kind: EngineName, dir: string, sink: string): Promise<Row[]> {
  const namespace = `benchwh${Date.now().toString(36)}`;
  runTag = kind;
  const engine: EngineConfig =
    kind === 'embedded'
      ? { engine: kind, url: join(dir, `${namespace}.db`), namespace }
      : { engine: kind, url: kind === 'redis' ? REDIS_URL : NATS_URL, namespace };
  const server = await createServer({
    port: 0,
    engine,
    logger: pino({ level: 'warn' }),
    adminToken: ADMIN,
    webhooks: { allow: ['127.0.0.1'], scanMs: 50 },
  });
  const rows: Row[] = [];
  try {
    for (const k of ENDPOINTS) {
      await register(server, sink, k);
      const seen = Array.from({ length: k }, () => 0);
      // Warm-up of both paths (JIT, scripts, consumers, streams).
      await rawRound(sink, k, -1);
      await signedRound(server, sink, k, seen);
      const rounds = { signed: [] as number[], raw: [] as number[] };
      for (let round = 0; round < ROUNDS; round++) {
        rounds.raw.push(await rawRound(sink, k, round));
        rounds.signed.push(await signedRound(server, sink, k, seen));
      }
      rows.push({
        engine: kind,
        endpoints: k,
        signed: median(rounds.signed),
        raw: median(rounds.raw),
        rounds,
      });
    }
  } finally {
    await server.close();
    if (kind === 'redis') await dropRedis(REDIS_URL, namespace);
    if (kind === 'nats') await dropNats(NATS_URL, namespace);
  }
  return rows;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'mc-bench-webhooks-'));
  const sink = await startSink();
  const rows: Row[] = [];
  try {
    for (const kind of args.only.split(',') as EngineName[]) {
      rows.push(...(await engineRows(kind, dir, sink.url)));
    }
  } finally {
    sink.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(
    `\nwebhook deliveries/s, ${EVENTS} events per round, median of ${ROUNDS} rounds (signed: ` +
      `appended to the webhooks' streams and delivered by the dispatcher, one at a time per ` +
      `webhook; raw: the same POSTs unsigned from a loop per webhook)\n`,
  );
  console.log(
    `${'engine'.padEnd(9)} ${'webhooks'.padStart(8)} ${'signed'.padStart(8)} ${'raw'.padStart(8)}   signed / raw`,
  );
  for (const r of rows) {
    console.log(
      `${r.engine.padEnd(9)} ${String(r.endpoints).padStart(8)} ${fmt(r.signed).padStart(8)} ${fmt(r.raw).padStart(8)}   ${(r.signed / r.raw).toFixed(2)}`,
    );
  }
  mkdirSync(dirname(args.json), { recursive: true });
  writeFileSync(args.json, `${JSON.stringify(rows, null, 2)}\n`);
}

await main();
