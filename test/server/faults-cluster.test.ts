import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';

import type { EngineConfig, EngineName } from '../../server/engine/index.ts';
import type { McServer } from '../../server/server.ts';
import { ENGINES, EngineFixture, eventually } from './helpers/engines.ts';
import { EventClient, tally } from './helpers/event-client.ts';
import { TestClient } from './helpers/ws-client.ts';
import {
  freePort,
  kill,
  NATS_SERVER,
  REDIS_SERVER,
  spawnTs,
  startNats,
  startRedis,
  type Child,
} from './helpers/processes.ts';

/**
 * Fault tests of the whole server (issue 11, item 10): real server processes on Redis or
 * NATS, WebSocket clients in this process speaking the real protocol (helpers/event-client.ts,
 * which de-duplicates nothing), numbered publishes, a fault mid-stream, then per client the
 * counts sent / received / gaps / duplicates against the stream as stored.
 */

const SPACE = 'faults';

/** A server child process on `engine`, with SPACE and its members; resolves with its URL. */
async function serverProcess(engine: EngineConfig, members: string[]) {
  const child = spawnTs('test/server/fixtures/server.ts', [
    JSON.stringify({ engine, space: SPACE, members }),
  ]);
  const line = await child.line((l) => l.startsWith('listening '));
  return { child, url: line.split(' ')[1]! };
}

/**
 * Every client publishes `perClient` numbered events, one after the other, `pauseMs` apart;
 * `fault` runs once `faultAfter` of them have been acknowledged in all. Resolves when every
 * publish was acknowledged (each retried by the client until it is) and every client has
 * received as many events as the stream holds; returns the stored stream (msgIds in offset
 * order) and the counts.
 */
async function run(
  t: TestContext,
  clients: EventClient[],
  perClient: number,
  pauseMs: number,
  faultAfter: number,
  fault: () => Promise<void>,
) {
  let acked = 0;
  let faulted: Promise<void> | undefined;
  const started = performance.now();
  await Promise.all(
    clients.map(async (client) => {
      for (let n = 1; n <= perClient; n++) {
        await client.publish(n);
        if (++acked === faultAfter) faulted = fault();
        await new Promise((resolve) => setTimeout(resolve, pauseMs));
      }
    }),
  );
  await faulted;
  // The stream as stored: every acknowledged publish at its (epoch, offset).
  const stored = clients
    .flatMap((c) => [...c.acked].map(([n, at]) => ({ at, msgId: `${c.device}-n${n}` })))
    .sort((p, q) => p.at.offset - q.at.offset);
  // One epoch, offsets 1..N: the stream holds exactly the acknowledged publishes.
  assert.equal(new Set(stored.map((s) => s.at.epoch)).size, 1);
  assert.deepEqual(
    stored.map((s) => s.at.offset),
    stored.map((_, i) => i + 1),
  );
  const expected = stored.map((s) => s.msgId);
  await eventually(
    'every client to receive the whole stream',
    async () => (clients.every((c) => c.events.length >= expected.length) ? true : undefined),
    10_000,
  ).catch(() => {}); // the counts below say what is missing
  const counts = clients.map((c) => tally(c, expected));
  const sum = (k: 'received' | 'gaps' | 'duplicated') => counts.reduce((s, c) => s + c[k], 0);
  t.diagnostic(
    `${clients.length} clients, events sent ${expected.length} (each to all), ` +
      `received ${sum('received')} of ${expected.length * clients.length}, ` +
      `gaps ${sum('gaps')}, duplicated ${sum('duplicated')}, ` +
      `out of order ${counts.filter((c) => !c.inOrder).length} clients, ` +
      `${Math.round(performance.now() - started)} ms`,
  );
  return { stored, expected, counts };
}

function users(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `u${String(i).padStart(2, '0')}`);
}

for (const kind of ENGINES.filter((name): name is 'redis' | 'nats' => name !== 'embedded')) {
  describe(`fault (${kind}): kill -9 of one of two server processes`, { timeout: 30_000 }, () => {
    it('50 clients publishing: all end on the other process, each gets the stream with no gap and no duplicate', async (t) => {
      const fixture = new EngineFixture(kind);
      const members = users(50);
      const engine: EngineConfig = { engine: kind, url: fixture.url, namespace: fixture.namespace };
      const children: Child[] = [];
      const clients: EventClient[] = [];
      try {
        const [a, b] = await Promise.all([
          serverProcess(engine, members),
          serverProcess(engine, members),
        ]);
        children.push(a.child, b.child);
        let aAlive = true;
        for (const [i, user] of members.entries()) {
          const onA = i % 2 === 0;
          clients.push(await EventClient.start(user, SPACE, () => (onA && aAlive ? a.url : b.url)));
        }
        const { counts } = await run(t, clients, 12, 20, 200, async () => {
          aAlive = false;
          await kill(a.child.child);
        });
        const moved = clients.filter((c) => c.connectedTo[0] === a.url);
        t.diagnostic(
          `clients moved from the killed process ${moved.length}, publishes in flight resent ` +
            `${moved.reduce((s, c) => s + c.resent, 0)}, ` +
            `resumed recovered ${moved.filter((c) => c.resumes.at(-1)?.recovered).length}`,
        );
        assert.equal(moved.length, 25);
        for (const client of clients) {
          assert.equal(client.connectedTo.at(-1), b.url, 'every client ends on the survivor');
          // The first follow has no position; every later one resumes.
          assert.ok(client.resumes.slice(1).every((r) => r.recovered));
        }
        for (const client of moved) assert.equal(client.connectedTo.length, 2);
        assert.deepEqual(
          counts.filter((c) => c.gaps > 0 || c.duplicated > 0 || !c.inOrder),
          [],
          'no client with a gap, a duplicate or another order',
        );
      } finally {
        for (const client of clients) client.stop();
        await Promise.all(children.map((c) => kill(c.child)));
        await fixture.cleanup();
      }
    });
  });
}

for (const kind of ENGINES.filter((name): name is 'redis' | 'nats' => name !== 'embedded')) {
  describe(`fault (${kind}): a client offline longer than retention`, { timeout: 20_000 }, () => {
    it('comes back on the other process: recovered false with the public states, then no gap', async (t) => {
      const fixture = new EngineFixture(kind);
      const members = users(2);
      const engine: EngineConfig = {
        engine: kind,
        url: fixture.url,
        namespace: fixture.namespace,
        retention: { maxAgeMs: 1_000 },
      };
      const children: Child[] = [];
      const clients: EventClient[] = [];
      try {
        const [a, b] = await Promise.all([
          serverProcess(engine, members),
          serverProcess(engine, members),
        ]);
        children.push(a.child, b.child);
        let phoneAt = a.url;
        const phone = await EventClient.start('u00', SPACE, () => phoneAt);
        const laptop = await EventClient.start('u01', SPACE, () => b.url);
        clients.push(phone, laptop);
        // The todo app's public state, then events.
        const states = await TestClient.open({ url: b.url } as McServer, { user: 'u01' });
        const state = await states.request({
          t: 'publish',
          space: SPACE,
          msgId: 'state-0001',
          app: 'todo',
          data: '{"open":3}',
        });
        assert.equal(state.t, 'published');
        states.close();
        const publish = async (from: number, to: number) => {
          for (let n = from; n <= to; n++) await laptop.publish(n);
        };
        await publish(1, 5);
        await eventually('the phone to have 6', async () =>
          phone.events.length === 6 ? true : undefined,
        );
        const before = phone.events.length;
        await phone.offline();
        await publish(6, 10);
        // Offline past retention: what it missed is gone from the stream.
        await new Promise((resolve) => setTimeout(resolve, 1_500));
        await publish(11, 13);
        phoneAt = b.url;
        await phone.online();
        const resumed = phone.resumes.at(-1)!;
        await publish(14, 16);
        await eventually('the phone to hear 16', async () =>
          phone.events.some((e) => e.data.includes('"n":16')) ? true : undefined,
        );
        const after = phone.events.slice(before).map((e) => JSON.parse(e.data) as { n: number });
        const offsets = phone.events.slice(before).map((e) => e.offset);
        t.diagnostic(
          `published 1 state + 16 events; the phone got ${before} before going offline, ` +
            `recovered ${resumed.recovered} at offset ${resumed.offset} with states ` +
            `${JSON.stringify(resumed.states)}, then ${after.length} (n ${after.map((d) => d.n).join(',')}), ` +
            `offsets ${offsets.join(',')}; the laptop (online throughout) got ${laptop.events.length}, ` +
            `told recovered:false ${laptop.resumes.slice(1).filter((r) => !r.recovered).length} times`,
        );
        assert.equal(resumed.recovered, false);
        assert.deepEqual(resumed.states, [{ app: 'todo', data: '{"open":3}' }]);
        assert.equal(phone.connectedTo.at(-1), b.url);
        // After the resume: exactly what was published since, in order, once.
        assert.deepEqual(
          after.map((d) => d.n),
          [14, 15, 16],
        );
        assert.deepEqual(offsets, [resumed.offset + 1, resumed.offset + 2, resumed.offset + 3]);
      } finally {
        for (const client of clients) client.stop();
        await Promise.all(children.map((c) => kill(c.child)));
        await fixture.cleanup();
      }
    });
  });
}

const ready = existsSync(REDIS_SERVER) && existsSync(NATS_SERVER);
const skip = ready
  ? false
  : `needs ${REDIS_SERVER} and ${NATS_SERVER} (scripts/server-services.mjs installs them as root)`;

/**
 * Our own Redis (AOF, fsync always) or NATS (JetStream on disk) on a free port, killed with
 * SIGKILL mid-stream and started again on the same port and storage, under two server
 * processes and 20 clients. Never the machine's shared services.
 */
for (const kind of ['redis', 'nats'] as EngineName[]) {
  describe(`fault: ${kind} restarted under two server processes`, { skip, timeout: 30_000 }, () => {
    it('20 clients publishing: the servers reconnect by themselves, every client recovers with no gap and no duplicate', async (t) => {
      const port = await freePort();
      const dir = mkdtempSync(join(tmpdir(), `mc-faults-${kind}-`));
      const start = () =>
        kind === 'redis' ? startRedis(port, { dir, appendonly: true }) : startNats(port, dir);
      let service = await start();
      const members = users(20);
      const engine: EngineConfig = { engine: kind, url: service.url, namespace: 'faults' };
      const children: Child[] = [];
      const clients: EventClient[] = [];
      try {
        const [a, b] = await Promise.all([
          serverProcess(engine, members),
          serverProcess(engine, members),
        ]);
        children.push(a.child, b.child);
        for (const [i, user] of members.entries()) {
          const url = i % 2 === 0 ? a.url : b.url;
          clients.push(await EventClient.start(user, SPACE, () => url));
        }
        let downMs = 0;
        const { counts } = await run(t, clients, 20, 20, 150, async () => {
          const down = performance.now();
          await kill(service.child);
          await new Promise((resolve) => setTimeout(resolve, 300));
          service = await start();
          downMs = Math.round(performance.now() - down);
        });
        const refused = clients.reduce((s, c) => s + c.errors.length, 0);
        const reconnected = clients.filter((c) => c.connectedTo.length > 1).length;
        const notRecovered = clients.filter((c) =>
          c.resumes.slice(1).some((r) => !r.recovered),
        ).length;
        t.diagnostic(
          `${kind} down ${downMs} ms; publishes refused while down and retried ${refused}; ` +
            `clients that reconnected ${reconnected}; told recovered:false ${notRecovered}`,
        );
        assert.ok(refused >= 0);
        assert.equal(notRecovered, 0);
        assert.deepEqual(
          counts.filter((c) => c.gaps > 0 || c.duplicated > 0 || !c.inOrder),
          [],
          'no client with a gap, a duplicate or another order',
        );
      } finally {
        for (const client of clients) client.stop();
        await Promise.all(children.map((c) => kill(c.child)));
        await kill(service.child);
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}

describe(
  'fault: Redis without persistence restarted under two server processes',
  {
    // Skipped, said here and in docs/server.md: on a loaded machine it overran its 20 s and,
    // once cancelled, its process kept a core busy for 11 minutes (seen 2026-12-03, not yet
    // understood). The other Redis and NATS restart faults run.
    skip: skip || 'hung its process once cancelled on a loaded machine (docs/server.md)',
    timeout: 20_000,
  },
  () => {
    it('10 clients publishing: every publish after the restart is refused, nothing acknowledged goes undelivered untold', async (t) => {
      const service = await startRedis(await freePort());
      let restarted = service;
      const members = users(10);
      const engine: EngineConfig = { engine: 'redis', url: service.url, namespace: 'faults' };
      const children: Child[] = [];
      const clients: EventClient[] = [];
      try {
        const [a, b] = await Promise.all([
          serverProcess(engine, members),
          serverProcess(engine, members),
        ]);
        children.push(a.child, b.child);
        for (const [i, user] of members.entries()) {
          const url = i % 2 === 0 ? a.url : b.url;
          clients.push(await EventClient.start(user, SPACE, () => url));
        }
        let acked = 0;
        let restart: Promise<void> | undefined;
        const refusals = await Promise.all(
          clients.map(async (client) => {
            for (let n = 1; n <= 30; n++) {
              try {
                await client.publish(n);
              } catch (error) {
                return (error as Error).message;
              }
              if (++acked === 60) {
                restart = (async () => {
                  await kill(service.child);
                  restarted = await startRedis(Number(new URL(service.url).port));
                })();
              }
              await new Promise((resolve) => setTimeout(resolve, 20));
            }
            return 'none';
          }),
        );
        await restart;
        const expected = clients
          .flatMap((c) => [...c.acked].map(([n, at]) => ({ at, msgId: `${c.device}-n${n}` })))
          .sort((p, q) => p.at.offset - q.at.offset)
          .map((s) => s.msgId);
        // An event acknowledged just before the kill may die with Redis before it is announced:
        // its followers are told that the space is gone (the quiet channels' sweep).
        const told = (c: EventClient) =>
          c.errors.some((e) => e.space === SPACE && e.id === undefined && e.code === 'NOT_FOUND');
        await eventually('every client to receive what was acknowledged, or be told', async () =>
          clients.every((c) => c.events.length >= expected.length || told(c)) ? true : undefined,
        ).catch(() => {});
        const counts = clients.map((c) => tally(c, expected));
        const sum = (k: 'received' | 'gaps' | 'duplicated') => counts.reduce((s, c) => s + c[k], 0);
        // Followed again: the space went with Redis's memory.
        const again = await TestClient.open({ url: a.url } as McServer, { user: 'u00' });
        const follow = await again.request({ t: 'follow', space: SPACE });
        again.close();
        t.diagnostic(
          `${clients.length} clients: acknowledged ${expected.length} before the restart, ` +
            `received ${sum('received')} of ${expected.length * clients.length}, gaps ${sum('gaps')}, ` +
            `duplicated ${sum('duplicated')}; clients told NOT_FOUND ${clients.filter(told).length}, ` +
            `missing events untold ${counts.filter((c, i) => c.gaps > 0 && !told(clients[i]!)).length}; ` +
            `first refusal after it per client: ` +
            `${[...new Set(refusals)].join(', ')}; a new follow: ${follow.t === 'error' ? follow.code : follow.t}`,
        );
        assert.deepEqual(new Set(refusals), new Set(['NOT_FOUND']), 'every publisher is told');
        assert.equal(follow.t === 'error' && follow.code, 'NOT_FOUND');
        // Nothing missing unless told, nothing twice; what came, in the stored order.
        assert.deepEqual(
          counts.filter((c, i) => (c.gaps > 0 && !told(clients[i]!)) || c.duplicated > 0),
          [],
        );
        for (const client of clients) {
          assert.ok(client.events.every((e, i) => e.msgId === expected[i]));
        }
      } finally {
        for (const client of clients) client.stop();
        await Promise.all(children.map((c) => kill(c.child)));
        await kill(restarted.child);
        await kill(service.child);
      }
    });
  },
);
