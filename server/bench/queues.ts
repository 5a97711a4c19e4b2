/**
 * `npm run bench:server -- queues`: queue throughput per engine, events per second from the
 * router's append to the backend's ack, through the server's HTTP API and the Node consumer
 * client (`consume()`, concurrency 64, a handler that does nothing), beside a raw baseline
 * in the same run: the engine's own log append + consume + ack, without HTTP (one consumer
 * loop, batches of 100, acks in parallel). Rounds alternate raw and HTTP; medians.
 *
 * The server runs in a child process that owns the engine (the embedded one allows one
 * writing process): it fills the queue as the router would and runs the raw baseline; the
 * consumer client runs in this process, on the other core. Absolute figures drift between
 * runs on a shared machine: compare the ratio.
 *
 *   npm run bench:server -- queues [--events 3000] [--rounds 3] [--only embedded,redis,nats]
 */
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { dropNats, dropRedis, NATS_URL, REDIS_URL } from '../../test/server/helpers/engines.ts';
import { consume } from '../backend/queue-consumer.ts';
import type { EngineConfig, EngineName } from '../engine/index.ts';
import type { FromQueueServer, QueueServerSpec, ToQueueServer } from './queue-server.ts';

const { values: args } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== 'queues'),
  options: {
    events: { type: 'string', default: '3000' },
    rounds: { type: 'string', default: '3' },
    only: { type: 'string', default: 'embedded,redis,nats' },
    json: { type: 'string', default: '.ci/results/bench-queues.json' },
  },
});
const EVENTS = Number(args.events);
const ROUNDS = Number(args.rounds);
const CONCURRENCY = 64;
const ADMIN = randomBytes(32).toString('base64url');
const APP = 'bench';

interface Row {
  engine: EngineName;
  /** events/s, median of the rounds. */
  http: number;
  raw: number;
  rounds: { http: number[]; raw: number[] };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The server child: its URL, and requests to it. */
interface ServerProcess {
  readonly url: string;
  ask(message: ToQueueServer): Promise<FromQueueServer>;
  stop(): Promise<void>;
}

/** Forks server/bench/queue-server.ts on `engine` and waits for its address. */
async function startServer(engine: EngineConfig): Promise<ServerProcess> {
  const spec: QueueServerSpec = { engine, adminToken: ADMIN };
  const child = fork(fileURLToPath(new URL('queue-server.ts', import.meta.url)), {
    execArgv: [
      '--import',
      'tsx',
      ...(process.env.MC_BENCH_PROF
        ? ['--cpu-prof', `--cpu-prof-dir=${process.env.MC_BENCH_PROF}`]
        : []),
    ],
    env: { ...process.env, MC_BENCH: JSON.stringify(spec) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const next = () =>
    new Promise<FromQueueServer>((resolve, reject) => {
      child.once('message', (m) => resolve(m as FromQueueServer));
      child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
    });
  const ready = await next();
  if (ready.t !== 'ready') throw new Error('bench server did not start');
  return {
    url: ready.url,
    ask(message) {
      const reply = next();
      child.send(message);
      return reply;
    },
    async stop() {
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.send({ t: 'stop' });
      await Promise.race([gone, sleep(10_000).then(() => child.kill('SIGKILL'))]);
    },
  };
}

/** Raw: the engine's append + consume + ack in the server process, no HTTP. */
async function rawRound(server: ServerProcess, stream: string): Promise<number> {
  const reply = await server.ask({ t: 'raw', stream, events: EVENTS });
  if (reply.t !== 'raw') throw new Error('no raw figure');
  return reply.perSec;
}

/** Through HTTP: the server fills the queue, this process pulls and acks with consume(). */
async function httpRound(server: ServerProcess, credential: string): Promise<number> {
  let handled = 0;
  const consumer = consume({
    url: server.url,
    app: APP,
    queue: 'q',
    credential,
    concurrency: CONCURRENCY,
    waitMs: 1_000,
    handler: () => {
      handled++;
    },
  });
  const start = performance.now();
  await server.ask({ t: 'enqueue', app: APP, queue: 'q', events: EVENTS });
  while (consumer.stats.acked < EVENTS && performance.now() - start < 120_000) await sleep(2);
  const rate = consumer.stats.acked / ((performance.now() - start) / 1000);
  await consumer.stop();
  if (handled < EVENTS) throw new Error(`only ${handled}/${EVENTS} handled`);
  return rate;
}

/** Registers the bench app with its queue and issues a credential. */
async function register(url: string): Promise<string> {
  const admin = { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' };
  const entry = {
    manifest: {
      id: APP,
      name: 'Bench',
      url: 'https://bench.apps.example/widget.html',
      subscribes: ['todo.item.*'],
    },
    version: '1.0.0',
    backend: {
      url: 'http://127.0.0.1:9/',
      queues: [{ name: 'q', topics: ['todo.item.completed'] }],
    },
  };
  const put = await fetch(`${url}/registry/apps/${APP}`, {
    method: 'PUT',
    headers: { ...admin, 'if-none-match': '*' },
    body: JSON.stringify(entry),
  });
  if (put.status !== 201) throw new Error(`register: ${put.status} ${await put.text()}`);
  const issued = await fetch(`${url}/registry/apps/${APP}/credentials`, {
    method: 'POST',
    headers: admin,
  });
  if (issued.status !== 201) throw new Error(`credential: ${issued.status}`);
  return ((await issued.json()) as { secret: string }).secret;
}

async function engineRow(kind: EngineName, dir: string, namespace: string): Promise<Row> {
  const config: EngineConfig =
    kind === 'embedded'
      ? { engine: kind, url: join(dir, 'queues.db'), namespace }
      : { engine: kind, url: kind === 'redis' ? REDIS_URL : NATS_URL, namespace };
  const server = await startServer(config);
  try {
    const credential = await register(server.url);
    const rounds = { http: [] as number[], raw: [] as number[] };
    // Warm-up of both paths (JIT, connections, scripts, consumers).
    await rawRound(server, 'bench.warm');
    await httpRound(server, credential);
    for (let round = 0; round < ROUNDS; round++) {
      rounds.raw.push(await rawRound(server, `bench.raw${round}`));
      rounds.http.push(await httpRound(server, credential));
    }
    return { engine: kind, http: median(rounds.http), raw: median(rounds.raw), rounds };
  } finally {
    await server.stop();
  }
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'mc-bench-queues-'));
  const namespace = `benchq${Date.now().toString(36)}`;
  const rows: Row[] = [];
  try {
    for (const kind of args.only.split(',') as EngineName[]) {
      rows.push(await engineRow(kind, dir, namespace));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await dropRedis(REDIS_URL, namespace);
    await dropNats(NATS_URL, namespace);
  }
  console.log(
    `\nqueue throughput, events/s from append to ack, ${EVENTS} events per round, median of ` +
      `${ROUNDS} rounds (HTTP: pull + ack through the server, consumer client concurrency ` +
      `${CONCURRENCY}; raw: the engine's log append + consume + ack, no HTTP)\n`,
  );
  console.log(`${'engine'.padEnd(9)} ${'http'.padStart(8)} ${'raw'.padStart(8)}   http / raw`);
  for (const r of rows) {
    console.log(
      `${r.engine.padEnd(9)} ${fmt(r.http).padStart(8)} ${fmt(r.raw).padStart(8)}   ${(r.http / r.raw).toFixed(2)}×`,
    );
  }
  mkdirSync(dirname(args.json), { recursive: true });
  writeFileSync(args.json, `${JSON.stringify(rows, null, 2)}\n`);
}

await main();
