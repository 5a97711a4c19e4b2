/**
 * `npm run bench:server -- gateway`: the same HTTP requests sent through the API gateway and
 * straight to the backend, in one run, on loopback: latency p50 and p99 of each and their
 * ratio (target: ≤ 1.3×). The backend (test/server/fixtures/echo-backend.ts, quiet) and the
 * gateway each run in a process of their own; the client runs here, with one keep-alive
 * undici Agent for both sides. Rounds alternate direct and gateway, so a slow moment of the
 * shared machine hits both. Every request through the gateway carries a real identity token
 * (verified, ES256) and gets a freshly signed assertion.
 *
 *   npm run bench:server -- gateway [--requests 2000] [--rounds 3] [--in-flight 16]
 *                                   [--assertion-reuse <ms>]
 *                                   [--json .ci/results/bench-gateway.json]
 *
 * MC_BENCH_PROF=1 writes a CPU profile of the gateway process to /tmp/gwprof.
 */
import { fork } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { Agent } from 'undici';

import { kill, spawnTs } from '../../test/server/helpers/processes.ts';
import type { FromGateway } from './gateway-server.ts';

const { values: args } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== 'gateway'),
  options: {
    requests: { type: 'string', default: '2000' },
    rounds: { type: 'string', default: '3' },
    'in-flight': { type: 'string', default: '16' },
    'assertion-reuse': { type: 'string', default: '0' },
    json: { type: 'string', default: '.ci/results/bench-gateway.json' },
  },
});
const REQUESTS = Number(args.requests);
const ROUNDS = Number(args.rounds);
const IN_FLIGHT = Number(args['in-flight']);
const WARMUP = 500;
const BODY = JSON.stringify({ text: 'x'.repeat(16 * 1024 - 12) });

interface Case {
  readonly name: string;
  /** Query string of the request (`?wait=2`: the backend answers 2 ms later). */
  readonly query?: string;
  readonly method: 'GET' | 'POST';
  readonly body?: string;
  readonly inFlight: number;
}
const CASES: Case[] = [
  { name: 'GET, 1 in flight', method: 'GET', inFlight: 1 },
  { name: `GET, ${IN_FLIGHT} in flight`, method: 'GET', inFlight: IN_FLIGHT },
  { name: 'POST 16 KiB, 1 in flight', method: 'POST', body: BODY, inFlight: 1 },
  { name: 'GET, backend takes 2 ms', query: '?wait=2', method: 'GET', inFlight: 1 },
];

const client = new Agent({ keepAliveTimeout: 30_000, connections: IN_FLIGHT });

/** Latencies (ms) of `n` requests to `origin + path`, `inFlight` at once. */
async function run(
  origin: string,
  path: string,
  headers: Record<string, string>,
  c: Case,
  n: number,
): Promise<number[]> {
  const times: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: c.inFlight }, async () => {
      while (next++ < n) {
        const started = performance.now();
        const res = await client.request({
          origin,
          path,
          method: c.method,
          headers:
            c.body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
          body: c.body ?? null,
        });
        await res.body.arrayBuffer();
        times.push(performance.now() - started);
        if (res.statusCode !== 200) throw new Error(`${origin}${path}: ${res.statusCode}`);
      }
    }),
  );
  return times;
}

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

async function main(): Promise<void> {
  const backend = spawnTs('test/server/fixtures/echo-backend.ts', ['--quiet']);
  const backendUrl = (await backend.line((l) => l.startsWith('listening '))).slice(10);
  const gatewayProcess = fork(fileURLToPath(new URL('./gateway-server.ts', import.meta.url)), [], {
    execArgv: [
      '--import',
      'tsx',
      ...(process.env.MC_BENCH_PROF ? ['--cpu-prof', '--cpu-prof-dir=/tmp/gwprof'] : []),
    ],
    env: {
      ...process.env,
      MC_BENCH_BACKEND: backendUrl,
      MC_BENCH_ASSERTION_REUSE_MS: args['assertion-reuse'],
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ready = () =>
    new Promise<FromGateway>((resolve) =>
      gatewayProcess.once('message', (m: FromGateway) => resolve(m)),
    );
  let gateway = await ready();
  let minted = performance.now();
  const rows: Array<Record<string, number | string>> = [];
  try {
    for (const c of CASES) {
      const direct: number[] = [];
      const through: number[] = [];
      const sides = async (record: boolean, n: number, round: number) => {
        if (performance.now() - minted > 30_000) {
          gatewayProcess.send({ t: 'token' });
          gateway = await ready();
          minted = performance.now();
        }
        const query = c.query ?? '';
        const d = () => run(backendUrl, `/v1/echo${query}`, {}, c, n);
        const g = () =>
          run(
            gateway.url,
            `/api/bench/echo${query}`,
            { authorization: `Bearer ${gateway.token}` },
            c,
            n,
          );
        // Alternate which side goes first.
        const [first, second] = round % 2 === 0 ? [d, g] : [g, d];
        const a = await first();
        const b = await second();
        if (!record) return;
        (round % 2 === 0 ? direct : through).push(...a);
        (round % 2 === 0 ? through : direct).push(...b);
      };
      await sides(false, WARMUP, 0);
      for (let round = 0; round < ROUNDS; round++) await sides(true, REQUESTS, round);
      direct.sort((x, y) => x - y);
      through.sort((x, y) => x - y);
      const row = {
        case: c.name,
        requests: direct.length,
        directP50: quantile(direct, 0.5),
        directP99: quantile(direct, 0.99),
        gatewayP50: quantile(through, 0.5),
        gatewayP99: quantile(through, 0.99),
      };
      rows.push({
        ...row,
        ratioP50: row.gatewayP50 / row.directP50,
        ratioP99: row.gatewayP99 / row.directP99,
      });
    }
  } finally {
    gatewayProcess.send({ t: 'stop' });
    await new Promise((resolve) => gatewayProcess.once('exit', resolve));
    await kill(backend.child);
    await client.close();
  }
  const ms = (v: number | string) => (v as number).toFixed(3).padStart(8);
  console.log(
    `\ngateway vs direct, loopback, ${ROUNDS} rounds x ${REQUESTS} requests, latency in ms; ` +
      `assertionReuseMs ${args['assertion-reuse']}; target ratio ≤ 1.3×\n`,
  );
  console.log(
    `${'case'.padEnd(26)} ${'direct p50'.padStart(10)} ${'p99'.padStart(8)}  ${'gateway p50'.padStart(11)} ${'p99'.padStart(8)}   ratio p50 / p99   added p50`,
  );
  for (const r of rows) {
    console.log(
      `${String(r.case).padEnd(26)} ${ms(r.directP50!).padStart(10)} ${ms(r.directP99!)}  ${ms(r.gatewayP50!).padStart(11)} ${ms(r.gatewayP99!)}   ${(r.ratioP50 as number).toFixed(2)}× / ${(r.ratioP99 as number).toFixed(2)}×`.padEnd(
        17,
      ) + `${ms((r.gatewayP50 as number) - (r.directP50 as number))}`,
    );
  }
  mkdirSync(dirname(args.json), { recursive: true });
  writeFileSync(args.json, `${JSON.stringify(rows, null, 2)}\n`);
}

await main();
