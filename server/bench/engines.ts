/**
 * `npm run bench:server`: operations per second of each engine's KV, log and pub/sub, on
 * the real services, beside a raw baseline in the same run (the bare driver doing the
 * nearest single operation), so that the engine layer's cost reads as a ratio. Absolute
 * figures drift 30–50 % between runs on a shared machine; compare ratios.
 *
 *   npm run bench:server [-- --json out.json]
 *   npm run bench:server -- fanout [options]   (1,000 WebSocket clients: see fanout.ts)
 *   npm run bench:server -- queues [options]   (queue throughput: see queues.ts)
 *   npm run bench:server -- gateway [options]  (API gateway vs direct: see gateway.ts)
 *   npm run bench:server -- webhooks [options] (webhook deliveries/s: see webhooks.ts)
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import Database from 'better-sqlite3';
import { Redis } from 'ioredis';

import { dropNats, dropRedis } from '../../test/server/helpers/engines.ts';
import { createEngine, type Engine, type EngineName } from '../engine/index.ts';

const REDIS_URL = process.env.MC_REDIS_URL ?? 'redis://127.0.0.1:6379';
const NATS_URL = process.env.MC_NATS_URL ?? 'nats://127.0.0.1:4222';
const SEQUENTIAL = 1_000;
const CONCURRENT = 3_000;
const IN_FLIGHT = 32;
const ROUNDS = 3;
const TTL = 60_000;

type Op = (i: number) => Promise<unknown>;

interface Row {
  engine: string;
  op: string;
  /** ops/s, median of the rounds, one in flight. */
  sequential: number;
  /** ops/s, median of the rounds, IN_FLIGHT at once. */
  concurrent: number;
  /** The same figures of the raw baseline, measured in alternation with this row's. */
  raw?: { op: string; sequential: number; concurrent: number };
}

/** ops/s of `op(i)` run `n` times with `inFlight` at once. */
async function rate(n: number, inFlight: number, op: Op) {
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < n) await op(next++);
    }),
  );
  return n / ((performance.now() - start) / 1000);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/**
 * Measures each op ROUNDS times, the ops in alternation within a round, so that a slow
 * moment of the shared machine hits them alike; reports each op's median.
 */
async function alternate(ops: Op[]): Promise<Array<{ sequential: number; concurrent: number }>> {
  for (const op of ops) await rate(200, 1, op); // warm-up: JIT, connections, scripts
  const seq: number[][] = ops.map(() => []);
  const conc: number[][] = ops.map(() => []);
  for (let round = 0; round < ROUNDS; round++) {
    for (const [k, op] of ops.entries()) {
      seq[k]!.push(await rate(SEQUENTIAL, 1, op));
      conc[k]!.push(await rate(CONCURRENT, IN_FLIGHT, op));
    }
  }
  return ops.map((_, k) => ({
    sequential: Math.round(median(seq[k]!)),
    concurrent: Math.round(median(conc[k]!)),
  }));
}

/** The bare driver's nearest single operation to kv.set and to log.append. */
interface Raw {
  set: [string, Op];
  append: [string, Op];
  close(): Promise<void>;
}

async function rawFor(kind: EngineName, dir: string, namespace: string): Promise<Raw> {
  if (kind === 'embedded') {
    const db = new Database(join(dir, 'raw.db'));
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = normal');
    db.exec('CREATE TABLE kv (key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID');
    db.exec('CREATE TABLE log (n INTEGER PRIMARY KEY, payload TEXT)');
    const put = db.prepare('INSERT OR REPLACE INTO kv (key, value) VALUES (?, ?)');
    const add = db.prepare('INSERT INTO log (payload) VALUES (?)');
    return {
      set: ['INSERT OR REPLACE', async (i) => put.run(`k${i % 500}`, `v${i}`)],
      append: ['INSERT', async (i) => add.run(`p${i}`)],
      close: async () => {
        db.close();
      },
    };
  }
  if (kind === 'redis') {
    const redis = new Redis(REDIS_URL);
    return {
      set: ['SET PX', (i) => redis.set(`${namespace}:raw:${i % 500}`, `v${i}`, 'PX', TTL)],
      append: ['XADD', (i) => redis.xadd(`{${namespace}:raw}:x`, '*', 'p', `p${i}`)],
      close: async () => redis.disconnect(),
    };
  }
  const nc = await connect({ servers: NATS_URL });
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: `${namespace}_raw`, subjects: [`${namespace}.raw`] });
  const js = jetstream(nc);
  const publish: Op = (i) => js.publish(`${namespace}.raw`, `p${i}`);
  return { set: ['js.publish', publish], append: ['js.publish', publish], close: () => nc.close() };
}

async function engineRows(kind: EngineName, url: string, dir: string, namespace: string) {
  const engine: Engine = await createEngine({ engine: kind, url, namespace });
  const raw = await rawFor(kind, dir, namespace);
  const rows: Row[] = [];
  try {
    const set: Op = (i) => engine.kv.set(`k.${i % 500}`, `v${i}`, TTL);
    const append: Op = (i) => engine.log.append('bench.s', `p${i}`);
    const [s, rs, a, ra] = await alternate([set, raw.set[1], append, raw.append[1]]);
    rows.push({ engine: kind, op: 'kv.set', ...s!, raw: { op: raw.set[0], ...rs! } });
    rows.push({ engine: kind, op: 'log.append', ...a!, raw: { op: raw.append[0], ...ra! } });
    let cas = 0;
    const others: Array<[string, Op]> = [
      ['kv.get', (i) => engine.kv.get(`k.${i % 500}`)],
      ['kv.compareAndSet (create)', () => engine.kv.compareAndSet(`cas.${cas++}`, 'v', 0, TTL)],
      ['log.append (with id)', (i) => engine.log.append('bench.ids', `p${i}`, `id-${cas++}-${i}`)],
    ];
    const figures = await alternate(others.map(([, op]) => op));
    for (const [k, [op]] of others.entries()) rows.push({ engine: kind, op, ...figures[k]! });

    // consume + ack in batches of 100: entries per second through one group.
    const total = 4_000;
    await Promise.all(
      Array.from({ length: total }, (_, i) => engine.log.append('bench.q', `p${i}`)),
    );
    const start = performance.now();
    let taken = 0;
    while (taken < total) {
      const batch = await engine.log.consume('bench.q', 'g', { max: 100, ackWaitMs: 30_000 });
      await Promise.all(batch.map((d) => engine.log.ack('bench.q', 'g', d)));
      taken += batch.length;
    }
    const consumed = Math.round(taken / ((performance.now() - start) / 1000));
    rows.push({
      engine: kind,
      op: 'log.consume+ack, batches of 100',
      sequential: consumed,
      concurrent: NaN,
    });

    // Pub/sub: messages per second from publish to handler, one subscriber.
    let got = 0;
    const off = await engine.pubsub.subscribe('bench.ch', () => got++);
    const n = 20_000;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) void engine.pubsub.publish('bench.ch', `m${i}`);
    while (got < n && performance.now() - t0 < 20_000) await new Promise((r) => setTimeout(r, 1));
    const op = got === n ? 'pubsub publish→handler' : `pubsub publish→handler (${got}/${n})`;
    rows.push({
      engine: kind,
      op,
      sequential: NaN,
      concurrent: Math.round(got / ((performance.now() - t0) / 1000)),
    });
    await off();
  } finally {
    await raw.close();
    await engine.close();
  }
  return rows;
}

const fmt = (n: number) => (Number.isNaN(n) ? '—' : n.toLocaleString('en-US'));

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'mc-bench-'));
  const namespace = `bench${Date.now().toString(36)}`;
  const rows: Row[] = [];
  try {
    rows.push(...(await engineRows('embedded', join(dir, 'engine.db'), dir, namespace)));
    rows.push(...(await engineRows('redis', REDIS_URL, dir, namespace)));
    rows.push(...(await engineRows('nats', NATS_URL, dir, namespace)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await dropRedis(REDIS_URL, namespace);
    await dropNats(NATS_URL, namespace);
  }
  console.log(
    `\nengines, ops/s, median of ${ROUNDS} rounds (seq = 1 in flight, conc = ${IN_FLIGHT} in flight); ` +
      'raw = the bare driver, measured in alternation\n',
  );
  const head = `${'engine'.padEnd(9)} ${'operation'.padEnd(32)} ${'seq'.padStart(8)} ${'conc'.padStart(8)}`;
  console.log(`${head}   raw baseline            seq     conc   ratio seq / conc`);
  for (const r of rows) {
    let line = `${r.engine.padEnd(9)} ${r.op.padEnd(32)} ${fmt(r.sequential).padStart(8)} ${fmt(r.concurrent).padStart(8)}`;
    if (r.raw) {
      const ratio = `${(r.sequential / r.raw.sequential).toFixed(2)}× / ${(r.concurrent / r.raw.concurrent).toFixed(2)}×`;
      line += `   ${r.raw.op.padEnd(18)} ${fmt(r.raw.sequential).padStart(8)} ${fmt(r.raw.concurrent).padStart(8)}   ${ratio}`;
    }
    console.log(line);
  }
  const out = process.argv.indexOf('--json');
  if (out > 0) writeFileSync(process.argv[out + 1]!, `${JSON.stringify(rows, null, 2)}\n`);
}

// `npm run bench:server -- fanout`: the WebSocket fan-out bench instead (server/bench/fanout.ts);
// `-- queues`: queue throughput per engine (server/bench/queues.ts); `-- gateway`: the API
// gateway against the same requests sent straight to the backend (server/bench/gateway.ts);
// `-- webhooks`: webhook deliveries per second with signing (server/bench/webhooks.ts).
if (process.argv[2] === 'fanout') await import('./fanout.ts');
else if (process.argv[2] === 'queues') await import('./queues.ts');
else if (process.argv[2] === 'gateway') await import('./gateway.ts');
else if (process.argv[2] === 'webhooks') await import('./webhooks.ts');
else await main();
