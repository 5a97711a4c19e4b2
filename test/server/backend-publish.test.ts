import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import type { EventFrame } from '../../sdk/protocol/server-wire.ts';
import type { Engine } from '../../server/engine/index.ts';
import type { McServer } from '../../server/server.ts';
import { ENGINES, EngineFixture, eventually } from './helpers/engines.ts';
import { QueueApi, queueEntry, registerApp, startQueueServer } from './helpers/queues.ts';
import { SECRET, TestClient } from './helpers/ws-client.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
let n = 0;
const msgId = () => `msg-${process.pid}-${++n}-${Math.random().toString(36).slice(2, 8)}`;

for (const kind of ENGINES) {
  describe(`backends publish (${kind}): POST /apps/:app/events`, { timeout: 60_000 }, () => {
    const fixture = new EngineFixture(kind);
    let engine: Engine;
    let server: McServer;
    let chat: string;
    let todo: string;

    before(async () => {
      engine = await fixture.open();
      server = await startQueueServer(engine, { authSecret: SECRET });
      await server.spaces.create('team', { members: ['ann'] });
      chat = await registerApp(server, queueEntry('chat'));
      todo = await registerApp(server, queueEntry('todo', {}, { publishes: ['todo.item.*'] }));
    });
    after(async () => {
      await server?.close();
      await fixture.cleanup();
    });

    const publish = (app: string, credential: string, body: Record<string, unknown>) =>
      fetch(`${server.url}/apps/${app}/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${credential}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const codeOf = async (res: Response) =>
      ((await res.json()) as { error: { code: string } }).error.code;

    it("reaches a follower of the space, stamped as the app's backend, once per id", async () => {
      const phone = await TestClient.open(server, { user: 'ann' });
      try {
        await phone.request({ t: 'follow', space: 'team' });
        const id = msgId();
        const body = { space: 'team', topic: 'chat.message.sent', data: { text: 'hi' }, id };
        const res = await publish('chat', chat, body);
        assert.equal(res.status, 200);
        const stored = (await res.json()) as { offset: number; duplicate: boolean };
        assert.equal(stored.duplicate, false);
        const event = await phone.next((f): f is EventFrame => f.t === 'event');
        assert.equal(event.app, 'chat');
        assert.equal(event.topic, 'chat.message.sent');
        assert.equal(event.offset, stored.offset);
        assert.deepEqual(JSON.parse(event.data), { text: 'hi' });
        assert.deepEqual(event.by, { backend: true });
        // A resend with the same id is stored once; the follower gets no second copy.
        const again = await publish('chat', chat, { ...body, data: { text: 'other' } });
        assert.deepEqual(await again.json(), {
          id,
          epoch: event.epoch,
          offset: stored.offset,
          duplicate: true,
        });
        const next = msgId();
        await publish('chat', chat, { ...body, id: next });
        const second = await phone.next((f): f is EventFrame => f.t === 'event');
        assert.equal(second.msgId, next);
        assert.equal(second.offset, stored.offset + 1);
      } finally {
        phone.close();
      }
    });

    it("refuses a topic outside the app's namespace or its publishes (403)", async () => {
      const base = { space: 'team', data: 1 };
      const outside = await publish('chat', chat, {
        ...base,
        topic: 'todo.item.completed',
        id: msgId(),
      });
      assert.equal(outside.status, 403);
      assert.equal(await codeOf(outside), 'NOT_PERMITTED');
      const undeclared = await publish('chat', chat, {
        ...base,
        topic: 'chat.admin.granted',
        id: msgId(),
      });
      assert.equal(undeclared.status, 403);
      assert.equal(await codeOf(undeclared), 'NOT_PERMITTED');
      // As another app: its own credential on chat's path.
      const asOther = await publish('chat', todo, {
        ...base,
        topic: 'chat.message.sent',
        id: msgId(),
      });
      assert.equal(asOther.status, 403);
    });

    it('refuses a wrong credential (401), a caller-chosen author, a missing space, bad data', async () => {
      const body = { space: 'team', topic: 'chat.message.sent', data: 1, id: msgId() };
      assert.equal((await publish('chat', `mcapp_chat_${'B'.repeat(43)}`, body)).status, 401);
      assert.equal((await publish('chat', '', body)).status, 401);
      const withBy = await publish('chat', chat, { ...body, by: { user: 'ann', device: 'x' } });
      assert.equal(withBy.status, 400);
      const missing = await publish('chat', chat, { ...body, space: 'nowhere' });
      assert.equal(missing.status, 404);
      const big = await publish('chat', chat, { ...body, data: 'x'.repeat(70 * 1024) });
      assert.equal(big.status, 413);
      let deep: unknown = 0;
      for (let i = 0; i < 100; i++) deep = [deep];
      const nested = await publish('chat', chat, { ...body, data: deep });
      assert.equal(nested.status, 400);
      const noData = await publish('chat', chat, {
        space: 'team',
        topic: 'chat.message.sent',
        id: msgId(),
      });
      assert.equal(noData.status, 400);
    });

    it("refuses data that does not match the manifest's payload schema, naming the path (400)", async () => {
      const typed = await registerApp(
        server,
        queueEntry(
          'notes',
          {},
          {
            publishes: ['notes.note.*'],
            schemas: {
              topics: {
                'notes.note.saved': {
                  type: 'object',
                  properties: { text: { type: 'string', maxLength: 20 } },
                  required: ['text'],
                },
              },
            },
          },
        ),
      );
      const phone = await TestClient.open(server, { user: 'ann' });
      try {
        await phone.request({ t: 'follow', space: 'team' });
        const send = (topic: string, data: unknown) =>
          publish('notes', typed, { space: 'team', topic, data, id: msgId() });
        const wrong = await send('notes.note.saved', { text: 42 });
        assert.equal(wrong.status, 400);
        const { error } = (await wrong.json()) as { error: { code: string; message: string } };
        assert.equal(error.code, 'INVALID_ARGUMENT');
        assert.match(error.message, /^publish "notes\.note\.saved": data\.text: expected string/);
        assert.equal((await send('notes.note.saved', {})).status, 400);
        // Positive control: a matching payload, and a topic the schemas leave free, arrive;
        // the follower's first event is the matching one, so the refused ones were not stored.
        assert.equal((await send('notes.note.saved', { text: 'ok' })).status, 200);
        assert.equal((await send('notes.note.drafted', { any: [1] })).status, 200);
        const first = await phone.next((f): f is EventFrame => f.t === 'event');
        assert.deepEqual(JSON.parse(first.data), { text: 'ok' });
        const second = await phone.next((f): f is EventFrame => f.t === 'event');
        assert.equal(second.topic, 'notes.note.drafted');
      } finally {
        phone.close();
      }
    });

    it("is routed to other apps' queues like a widget's event, and so is a widget's", async () => {
      // chat's queue takes todo.item.completed (its manifest subscribes to todo.item.*).
      const queue = new QueueApi(server, 'chat', chat);
      const fromBackend = msgId();
      const res = await publish('todo', todo, {
        space: 'team',
        topic: 'todo.item.completed',
        data: { item: 7 },
        id: fromBackend,
      });
      assert.equal(res.status, 200);
      const phone = await TestClient.open(server, { user: 'ann' });
      try {
        const published = await phone.request({
          t: 'publish',
          space: 'team',
          msgId: msgId(),
          app: 'todo',
          topic: 'todo.item.completed',
          data: JSON.stringify({ item: 8 }),
        });
        assert.equal(published.t, 'published');
      } finally {
        phone.close();
      }
      const got = await eventually('both events in the queue', async () => {
        const pulled = await queue.pull(10, 1_000);
        return pulled.length > 0 ? pulled : undefined;
      });
      const more = got.length < 2 ? await queue.pull(10, 2_000) : [];
      const all = [...got, ...more];
      await queue.ack(all);
      assert.deepEqual(
        all.map((d) => [d.event.app, d.event.topic, JSON.parse(d.event.data), d.event.by]),
        [
          ['todo', 'todo.item.completed', { item: 7 }, { backend: true }],
          [
            'todo',
            'todo.item.completed',
            { item: 8 },
            { user: 'ann', device: all[1]!.event.by.device },
          ],
        ],
      );
      assert.ok(all[1]!.event.by.device);
    });

    it('wakes a pull waiting on another server process at once, not at its next poll', async () => {
      // A second process whose pulls would look again only after a minute.
      const slow = await startQueueServer(await fixture.open(), { queues: { pollMs: 60_000 } });
      try {
        const queue = new QueueApi(slow, 'chat', chat);
        while ((await queue.pull(100, 0)).length > 0); // nothing left (acked or not)
        // A first wait subscribes this process to the queue's announcements (kept a while).
        assert.deepEqual(await queue.pull(10, 300), []);
        const started = Date.now();
        const pulling = queue.pull(10, 20_000);
        await sleep(200);
        const id = msgId();
        const res = await publish('todo', todo, {
          space: 'team',
          topic: 'todo.item.completed',
          data: { item: 9 },
          id,
        });
        assert.equal(res.status, 200);
        const got = await pulling;
        assert.deepEqual(
          got.map((d) => JSON.parse(d.event.data)),
          [{ item: 9 }],
        );
        // Without the announcement it would have come back only at the end of its wait.
        assert.ok(Date.now() - started < 10_000, `${Date.now() - started} ms`);
        await queue.ack(got);
      } finally {
        await slow.close();
      }
    });

    it("rate-limits per app by the manifest's limits (429 with Retry-After)", async () => {
      const flood = await registerApp(
        server,
        queueEntry(
          'flood',
          {},
          { publishes: ['flood.x.*'], limits: { eventsPerSecond: 1, burst: 2 } },
        ),
      );
      const body = () => ({ space: 'team', topic: 'flood.x.y', data: 1, id: msgId() });
      assert.equal((await publish('flood', flood, body())).status, 200);
      assert.equal((await publish('flood', flood, body())).status, 200);
      const limited = await publish('flood', flood, body());
      assert.equal(limited.status, 429);
      assert.equal(limited.headers.get('retry-after'), '1');
      assert.equal(await codeOf(limited), 'RATE_LIMITED');
      // Another app is not held back by flood's budget.
      const other = { space: 'team', topic: 'chat.message.sent', data: 1, id: msgId() };
      assert.equal((await publish('chat', chat, other)).status, 200);
      await sleep(1_100);
      assert.equal((await publish('flood', flood, body())).status, 200);
    });
  });
}
