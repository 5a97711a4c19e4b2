import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';

import { webhookStream } from '../../server/delivery/types.ts';
import type { McServer } from '../../server/server.ts';
import { EngineFixture, ENGINES, eventually, readAll } from './helpers/engines.ts';
import {
  ADMIN_TOKEN,
  FakeClock,
  newSecret,
  putApp,
  Receiver,
  todoEntry,
} from './helpers/webhooks.ts';
import { startServer, TestClient } from './helpers/ws-client.ts';

/**
 * Webhooks end to end with real processes and real HTTP: a host-like WebSocket client
 * publishes canvas events, the server routes them into the todo backend's webhook stream,
 * and its dispatcher delivers them to a receiver process that verifies every delivery with
 * the `standardwebhooks` package. The retry schedule runs on a fake clock.
 */
const SCHEDULE = [0, 5_000, 300_000, 1_800_000];
let msgs = 0;

async function publish(client: TestClient, n: number, topic = 'calendar.date.selected') {
  const reply = await client.request({
    t: 'publish',
    space: 'team',
    msgId: `m-${process.pid}-${++msgs}`,
    app: topic.split('.')[0],
    topic,
    data: JSON.stringify({ n }),
  });
  assert.equal(reply.t, 'published', JSON.stringify(reply));
  return reply;
}

/** What the admin API answers, loosely: each test reads the fields it checks. */
interface AdminAnswer {
  readonly enabled?: boolean;
  readonly disabledReason?: string;
  readonly pending?: number;
  readonly delivered?: number;
  readonly dead?: number;
  readonly deadLetters?:
    number | Array<{ id: string; attempts: number; last: { status?: number } }>;
  readonly current?: { attempts: number; nextAt: string };
  readonly last?: { result: string; status?: number; attempt: number; at: number; error?: string };
  readonly replayed?: number;
  readonly error?: { code: string };
}

async function admin(server: McServer, path: string, method = 'GET') {
  const res = await fetch(`${server.url}/admin/webhooks/todo/main${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
  });
  return { status: res.status, body: (await res.json()) as AdminAnswer };
}

for (const kind of ENGINES) {
  describe(`webhooks on ${kind}`, { timeout: 120_000 }, () => {
    let fixture: EngineFixture;
    let server: McServer;
    let receiver: Receiver;
    let client: TestClient;
    let clock: FakeClock;
    const secret = newSecret();

    before(async () => {
      receiver = await Receiver.start([secret]);
    });
    after(async () => receiver.stop());

    beforeEach(async () => {
      fixture = new EngineFixture(kind);
      clock = new FakeClock();
      await receiver.script([]);
      server = await startServer({
        engine: await fixture.open(),
        adminToken: ADMIN_TOKEN,
        webhooks: {
          clock,
          schedule: SCHEDULE,
          allow: ['127.0.0.1'],
          timeoutMs: 1_000,
          pollMs: 25,
          scanMs: 100,
          leaseMs: 3_000,
          random: () => 0.5,
        },
      });
      await putApp(server.url, todoEntry(`${receiver.url}/hooks`, [secret]));
      await server.spaces.ensure('team', { members: ['ann'] });
      client = await TestClient.open(server, { user: 'ann' });
    });

    afterEach(async () => {
      client.ws.close();
      await server.close();
      await fixture.cleanup();
    });

    /** The receiver's stats once `probe` holds. */
    const until = (what: string, probe: (s: Awaited<ReturnType<Receiver['stats']>>) => boolean) =>
      eventually(what, async () => {
        const stats = await receiver.stats();
        return probe(stats) ? stats : undefined;
      });

    it('delivers each event, signed, in publish order, with the documented body', async () => {
      const before = (await receiver.stats()).unique.length;
      for (let n = 1; n <= 5; n++) await publish(client, n);
      await publish(client, 99, 'calendar.other.thing'); // no subscription: not delivered
      const stats = await until('5 deliveries', (s) => s.unique.length >= before + 5);
      const got = stats.deliveries.slice(-5);
      assert.deepEqual(
        got.map((d) => (d.body.data.payload as { n: number }).n),
        [1, 2, 3, 4, 5],
      );
      const first = got[0]!.body;
      assert.equal(first.type, 'calendar.date.selected');
      assert.equal(first.data.space, 'team');
      assert.equal(first.data.app, 'calendar');
      assert.equal(first.data.by.user, 'ann');
      assert.ok(!Number.isNaN(Date.parse(first.timestamp)));
      assert.equal(stats.refused.length, 0);
      const status = await admin(server, '');
      assert.equal(status.status, 200);
      assert.equal(status.body.enabled, true);
      assert.equal(status.body.delivered, 5);
      assert.equal(status.body.pending, 0);
    });

    it('routes a resend once: the stream dedups by event id', async () => {
      const frame = {
        t: 'publish',
        space: 'team',
        msgId: `resend-${process.pid}-${++msgs}`,
        app: 'calendar',
        topic: 'calendar.date.selected',
        data: JSON.stringify({ n: 7 }),
      };
      const a = await client.request(frame);
      const b = await client.request(frame);
      assert.equal(a.t, 'published');
      assert.deepEqual(b, { ...a, id: (b as { id: number }).id });
      const entries = await readAll(server.engine, webhookStream('todo', 'main'));
      assert.equal(entries.length, 1);
      const queued = await readAll(server.engine, 'q.todo.dates');
      assert.equal(queued.length, 1);
      assert.equal(JSON.parse(queued[0]!.payload).topic, 'calendar.date.selected');
    });

    it('refuses the admin API without the admin token', async () => {
      const res = await fetch(`${server.url}/admin/webhooks/todo/main`);
      assert.equal(res.status, 401);
      const wrong = await fetch(`${server.url}/admin/webhooks/todo/main`, {
        headers: { authorization: 'Bearer nope' },
      });
      assert.equal(wrong.status, 401);
    });
  });
}
