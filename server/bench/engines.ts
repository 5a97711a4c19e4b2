/**
 * `npm run bench:server`: operations per second of each engine's KV, log and pub/sub, on
 * the real services, beside a raw baseline in the same run (the bare driver doing the
 * nearest single operation), so that the engine layer's cost reads as a ratio. Absolute
 * figures drift 30–50 % between runs on a shared machine; compare ratios.
 *
 *   npm run bench:server [-- --json out.json]
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
const SEQUENTIAL = 2_000;
const CONCURRENT = 5_000;
const IN_FLIGHT = 32;
const TTL = 60_000;

interface Row {
  engine: string;
  op: string;
  sequential: number;
  concurrent: number;
}

/** ops/s of `op(i)` run `n` times with `inFlight` at once. */
async function rate(n: number, inFlight: number, op: (i: number) => Promise<unknown>) {
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < n) await op(next++);
    }),
  );
  return Math.round(n / ((performance.now() - start) / 1000));
}

async function measure(engine: string, op: string, fn: (i: number) => Promise<unknown>) {
  await rate(200, 1, fn); // warm-up
  return {
    engine,
    op,
    sequential: await rate(SEQUENTIAL, 1, fn),
    concurrent: await rate(CONCURRENT, IN_FLIGHT, fn),
  };
}

async function engineRows(kind: EngineName, url: string, namespace: string): Promise<Row[]> {
  const engine: Engine = await createEngine({ engine: kind, url, namespace });
  const rows: Row[] = [];
  try {
    rows.push(await measure(kind, 'kv.set', (i) => engine.kv.set(`k.${i % 500}`, `v${i}`, TTL)));
    rows.push(await measure(kind, 'kv.get', (i) => engine.kv.get(`k.${i % 500}`)));
    rows.push(
      await measure(kind, 'kv.compareAndSet', async (i) => {
        const key = `cas.${i}`;
        return engine.kv.compareAndSet(key, 'v', 0, TTL);
      }),
    );
    rows.push(await measure(kind, 'log.append', (i) => engine.log.append('bench.s', `p${i}`)));
    rows.push(
      await measure(kind, 'log.append (with id)', (i) =>
        engine.log.append('bench.ids', `p${i}`, `id-${i}`),
      ),
    );
    // consume + ack, 100 per batch: entries per second through one group.
    const total = 4_000;
    for (let i = 0; i < total; i++) void engine.log.append('bench.q', `p${i}`);
    await engine.log.append('bench.q', 'last');
    const start = performance.now();
    let taken = 0;
    while (taken < total) {
      const batch = await engine.log.consume('bench.q', 'g', { max: 100, ackWaitMs: 30_000 });
      await Promise.all(batch.map((d) => engine.log.ack('bench.q', 'g', d)));
      taken += batch.length;
    }
    const consumeRate = Math.round(taken / ((performance.now() - start) / 1000));
    rows.push({
      engine: kind,
      op: 'log.consume+ack (batches of 100)',
      sequential: consumeRate,
      concurrent: NaN,
    });
    // Pub/sub: messages per second from publish to handler, one subscriber.
    let got = 0;
    const off = await engine.pubsub.subscribe('bench.ch', () => got++);
    const n = 20_000;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) void engine.pubsub.publish('bench.ch', `m${i}`);
    while (got < n && performance.now() - t0 < 20_000) await new Promise((r) => setTimeout(r, 1));
    rows.push({
      engine: kind,
      op: `pubsub publish→handler (${got}/${n})`,
      sequential: NaN,
      concurrent: Math.round(got / ((performance.now() - t0) / 1000)),
    });
    await off();
  } finally {
    await engine.close();
  }
  return rows;
}

/** The bare drivers: the single operation nearest to kv.set and log.append. */
async function rawRows(dir: string, namespace: string): Promise<Row[]> {
  const rows: Row[] = [];
  const db = new Database(join(dir, 'raw.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = normal');
  db.exec('CREATE TABLE kv (key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID');
  const put = db.prepare('INSERT OR REPLACE INTO kv (key, value) VALUES (?, ?)');
  rows.push(
    await measure('raw sqlite', 'INSERT OR REPLACE', async (i) => put.run(`k${i % 500}`, `v${i}`)),
  );
  db.close();

  const redis = new Redis(REDIS_URL);
  rows.push(
    await measure('raw redis', 'SET PX', (i) =>
      redis.set(`${namespace}:raw:${i % 500}`, `v${i}`, 'PX', TTL),
    ),
  );
  rows.push(
    await measure('raw redis', 'XADD', (i) =>
      redis.xadd(`{${namespace}:raw}:x`, '*', 'p', `p${i}`),
    ),
  );
  redis.disconnect();

  const nc = await connect({ servers: NATS_URL });
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: `${namespace}_raw`, subjects: [`${namespace}.raw`] });
  const js = jetstream(nc);
  rows.push(
    await measure('raw nats', 'js.publish', (i) => js.publish(`${namespace}.raw`, `p${i}`)),
  );
  await nc.close();
  return rows;
}

const fmt = (n: number) => (Number.isNaN(n) ? '—' : n.toLocaleString('en-US'));

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'mc-bench-'));
  const namespace = `bench${Date.now().toString(36)}`;
  const rows: Row[] = [];
  try {
    rows.push(...(await rawRows(dir, namespace)));
    rows.push(...(await engineRows('embedded', join(dir, 'engine.db'), namespace)));
    rows.push(...(await engineRows('redis', REDIS_URL, namespace)));
    rows.push(...(await engineRows('nats', NATS_URL, namespace)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await dropRedis(REDIS_URL, namespace);
    await dropNats(NATS_URL, namespace);
  }
  const base = (engine: string, op: string) => rows.find((r) => r.engine === engine && r.op === op);
  const baselines: Record<string, Record<string, Row | undefined>> = {
    embedded: {
      'kv.set': base('raw sqlite', 'INSERT OR REPLACE'),
      'log.append': base('raw sqlite', 'INSERT OR REPLACE'),
    },
    redis: { 'kv.set': base('raw redis', 'SET PX'), 'log.append': base('raw redis', 'XADD') },
    nats: {
      'kv.set': base('raw nats', 'js.publish'),
      'log.append': base('raw nats', 'js.publish'),
    },
  };
  console.log(
    `\nengines, ops/s (sequential = 1 in flight; concurrent = ${IN_FLIGHT} in flight), one run\n`,
  );
  console.log(
    `${'engine'.padEnd(11)} ${'operation'.padEnd(36)} ${'sequential'.padStart(11)} ${'concurrent'.padStart(11)}  vs raw (seq / conc)`,
  );
  for (const r of rows) {
    const b = baselines[r.engine]?.[r.op];
    const ratio = b
      ? `${(r.sequential / b.sequential).toFixed(2)}× / ${(r.concurrent / b.concurrent).toFixed(2)}×`
      : '';
    console.log(
      `${r.engine.padEnd(11)} ${r.op.padEnd(36)} ${fmt(r.sequential).padStart(11)} ${fmt(r.concurrent).padStart(11)}  ${ratio}`,
    );
  }
  const out = process.argv.indexOf('--json');
  if (out > 0) writeFileSync(process.argv[out + 1]!, `${JSON.stringify(rows, null, 2)}\n`);
}

await main();
