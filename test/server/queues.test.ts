import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { consume } from '../../server/backend/queue-consumer.ts';
import { queueStream } from '../../server/delivery/types.ts';
import type { Engine } from '../../server/engine/index.ts';
import type { McServer } from '../../server/server.ts';
import { ENGINES, EngineFixture, eventually } from './helpers/engines.ts';
import {
  enqueue,
  QueueApi,
  queueEntry,
  registerApp,
  startQueueServer,
  todoEvent,
} from './helpers/queues.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const ids = (xs: readonly { id: string }[]) => xs.map((x) => x.id);

for (const kind of ENGINES) {
  describe(`queues (${kind}): pull, ack, nack, dead letters`, { timeout: 120_000 }, () => {
    const fixture = new EngineFixture(kind);
    let engine: Engine;
    let server: McServer;
    let chat: QueueApi;
    let other: QueueApi;
    let chatCredential: string;

    before(async () => {
      engine = await fixture.open();
      server = await startQueueServer(engine);
      chatCredential = await registerApp(server, queueEntry('chat', { maxDeliveries: 3 }));
      chat = new QueueApi(server, 'chat', chatCredential);
      const otherCredential = await registerApp(server, queueEntry('other'));
      other = new QueueApi(server, 'other', otherCredential);
    });
    after(async () => {
      await server?.close();
      await fixture.cleanup();
    });

    /** Acks whatever the queue still holds, so that each test starts from an empty queue. */
    async function drain(api: QueueApi): Promise<void> {
      for (;;) {
        const got = await api.pull(100, 0);
        if (got.length === 0) return;
        await api.ack(got);
      }
    }

    it('delivers each event at least once, and an acked one never again', async () => {
      const events = [todoEvent(), todoEvent(), todoEvent()];
      for (const e of events) assert.equal(await enqueue(engine, 'chat', e), true);
      const got = await chat.pull(10, 0);
      assert.deepEqual(ids(got), ids(events));
      assert.ok(got.every((d) => d.deliveries === 1));
      assert.deepEqual(got[0]!.event, events[0]);
      assert.deepEqual(await chat.info(), {
        app: 'chat',
        queue: 'todos',
        backlog: 0,
        pending: 3,
        deadLetters: 0,
        ackWaitMs: 1_500,
        maxDeliveries: 3,
      });
      assert.equal(await chat.ack(got), 3);
      assert.equal(await chat.ack(got), 3); // idempotent
      await sleep(2_000); // past the ack wait: nothing comes back
      assert.deepEqual(await chat.pull(10, 0), []);
      assert.equal((await chat.info(true)).pending, 0); // the admin reads it too
    });

    it('hands out again what was not acked within the ack wait', async () => {
      const event = todoEvent();
      await enqueue(engine, 'chat', event);
      const [first] = await chat.pull(10, 0);
      assert.equal(first?.id, event.id);
      assert.deepEqual(await chat.pull(10, 0), []);
      const again = await eventually('the redelivery', async () => {
        const got = await chat.pull(10, 0);
        return got.length > 0 ? got : undefined;
      });
      assert.deepEqual(
        again.map((d) => [d.id, d.deliveries]),
        [[event.id, 2]],
      );
      await chat.ack(again);
    });

    it('hands a nacked delivery out again at once, or after its delay', async () => {
      const a = todoEvent();
      const b = todoEvent();
      await enqueue(engine, 'chat', a);
      await enqueue(engine, 'chat', b);
      const got = await chat.pull(10, 0);
      assert.deepEqual(ids(got), [a.id, b.id]);
      const nackedAt = Date.now();
      await chat.nack([got[0]!], 0);
      await chat.nack([got[1]!], 1_000);
      const now = await chat.pull(10, 1_000); // the engine may apply the nack a moment later
      assert.deepEqual(
        now.map((d) => [d.id, d.deliveries]),
        [[a.id, 2]],
      );
      await chat.ack(now);
      const later = await chat.pull(10, 5_000);
      assert.deepEqual(
        later.map((d) => [d.id, d.deliveries]),
        [[b.id, 2]],
      );
      assert.ok(Date.now() - nackedAt >= 950, 'not before the delay');
      await chat.ack(later);
    });

    it('waits for an event up to waitMs when the queue is empty', async () => {
      await drain(chat);
      const event = todoEvent();
      const pulling = chat.pull(10, 10_000);
      await sleep(300);
      await enqueue(engine, 'chat', event);
      const got = await pulling;
      assert.deepEqual(ids(got), [event.id]);
      await chat.ack(got);
      const started = Date.now();
      assert.deepEqual(await chat.pull(10, 300), []);
      assert.ok(Date.now() - started >= 250, 'an empty pull waited');
    });

    it('stores an event id once within the dedup window', async () => {
      await drain(chat);
      const event = todoEvent();
      assert.equal(await enqueue(engine, 'chat', event), true);
      assert.equal(await enqueue(engine, 'chat', event), false);
      assert.equal(await enqueue(engine, 'chat', { ...event, data: '{"n":-1}' }), false);
      const got = await chat.pull(10, 200);
      assert.deepEqual(ids(got), [event.id]);
      await chat.ack(got);
    });

    it('moves an event out of deliveries to the dead letters; the admin lists and replays it', async () => {
      await drain(chat);
      const event = todoEvent();
      await enqueue(engine, 'chat', event);
      // maxDeliveries 3: three nacked deliveries, then the fourth is a dead letter.
      for (let n = 1; n <= 3; n++) {
        const got = await chat.pull(10, 2_000);
        assert.deepEqual(
          got.map((d) => [d.id, d.deliveries]),
          [[event.id, n]],
        );
        await chat.nack(got, 0);
      }
      assert.deepEqual(await chat.pull(10, 300), []);
      assert.equal((await chat.info()).deadLetters, 1);
      const listed = await chat.admin('GET', '/dead-letters');
      assert.equal(listed.status, 200);
      const { deadLetters } = (await listed.json()) as {
        deadLetters: Array<{ id: string; deliveries: number; reason: string; event: unknown }>;
      };
      assert.equal(deadLetters.length, 1);
      assert.equal(deadLetters[0]!.deliveries, 3);
      assert.equal(deadLetters[0]!.reason, 'max-deliveries');
      assert.deepEqual(deadLetters[0]!.event, event);
      // Only the admin: the app's own credential is not enough.
      const byApp = await fetch(`${server.url}/admin/queues/chat/todos/dead-letters`, {
        headers: { authorization: `Bearer ${chatCredential}` },
      });
      assert.equal(byApp.status, 401);

      const replay = await chat.admin('POST', `/dead-letters/${deadLetters[0]!.id}/replay`);
      assert.equal(replay.status, 200);
      const again = await chat.admin('POST', `/dead-letters/${deadLetters[0]!.id}/replay`);
      assert.equal(again.status, 404);
      const back = await chat.pull(10, 2_000);
      assert.deepEqual(
        back.map((d) => [d.id, d.deliveries]),
        [[event.id, 1]],
      );
      await chat.ack(back);
      assert.equal((await chat.info()).deadLetters, 0);
    });

    it('moves an entry that is not an event to the dead letters at once', async () => {
      await drain(chat);
      await engine.log.append(queueStream('chat', 'todos'), '{"not": "an event"}', 'junk-1');
      const event = todoEvent();
      await enqueue(engine, 'chat', event);
      const got = await chat.pull(10, 1_000);
      assert.deepEqual(ids(got), [event.id]);
      await chat.ack(got);
      const listed = await chat.admin('GET', '/dead-letters');
      const { deadLetters } = (await listed.json()) as {
        deadLetters: Array<{ id: string; reason: string; raw?: string; event?: unknown }>;
      };
      assert.deepEqual(
        deadLetters.map((d) => [d.reason, d.raw, d.event]),
        [['malformed', '{"not": "an event"}', undefined]],
      );
      // Replayed (all of them at once), it is still no event: back to the dead letters.
      const all = await chat.admin('POST', '/dead-letters/replay');
      assert.deepEqual(await all.json(), { replayed: 1 });
      assert.deepEqual(await chat.pull(10, 300), []);
      assert.equal((await chat.info()).deadLetters, 1);
    });

    it("refuses another app's queue (403), a wrong credential (401), a forged token (400)", async () => {
      await drain(chat);
      await enqueue(engine, 'chat', todoEvent());
      const otherOnChat = new QueueApi(server, 'chat', other.credential);
      for (const what of ['pull', 'ack', 'nack']) {
        const body = what === 'pull' ? { max: 1 } : { tokens: ['x.y'] };
        const res = await otherOnChat.post(what, body);
        assert.equal(res.status, 403, what);
        assert.equal(
          ((await res.json()) as { error: { code: string } }).error.code,
          'NOT_PERMITTED',
        );
      }
      // A queue that does not exist looks the same to another app.
      const missing = new QueueApi(server, 'chat', other.credential, 'nope');
      assert.equal((await missing.post('pull', {})).status, 403);
      assert.equal(
        (
          await fetch(otherOnChat.path, {
            headers: { authorization: `Bearer ${other.credential}` },
          })
        ).status,
        403,
      );
      const wrong = `mcapp_chat_${'A'.repeat(43)}`;
      assert.equal((await chat.post('pull', {}, wrong)).status, 401);
      assert.equal((await chat.post('pull', {}, 'nonsense')).status, 401);

      // Tokens of one queue mean nothing on another: other's delivery on chat's path.
      await enqueue(engine, 'other', todoEvent());
      const [mine] = await other.pull(1, 0);
      assert.ok(mine);
      const forged = await chat.post('ack', { tokens: [mine.token] });
      assert.equal(forged.status, 400);
      const tampered = mine.token.replace(/^./, (c) => (c === 'A' ? 'B' : 'A'));
      assert.equal((await other.post('ack', { tokens: [tampered] })).status, 400);
      // Nothing was acked by those: chat's event is still there, other's still pending.
      const chats = await chat.pull(10, 0);
      assert.equal(chats.length, 1);
      await chat.ack(chats);
      assert.equal((await other.info()).pending, 1);
      await other.ack([mine]);
    });

    it('consumer client with concurrency 2 never runs more than 2 handlers at once', async () => {
      await drain(chat);
      const events = Array.from({ length: 20 }, () => todoEvent());
      for (const e of events) await enqueue(engine, 'chat', e);
      let running = 0;
      let most = 0;
      let mostHeld = 0;
      const handled: string[] = [];
      const consumer = consume({
        url: server.url,
        app: 'chat',
        queue: 'todos',
        credential: chatCredential,
        concurrency: 2,
        waitMs: 500,
        handler: async ({ id }) => {
          running++;
          most = Math.max(most, running);
          // Pulled and not finished: what the client holds is at most its slots (it pulls
          // only for free ones; an ack may still be on its way, a slot is free once handled).
          mostHeld = Math.max(mostHeld, consumer.stats.pulled - handled.length);
          await sleep(20);
          running--;
          handled.push(id);
        },
      });
      await eventually('every event handled', async () =>
        handled.length >= events.length ? true : undefined,
      );
      await consumer.stop();
      assert.equal(most, 2);
      assert.ok(mostHeld <= 2, `the client held ${mostHeld}`);
      assert.deepEqual(new Set(handled), new Set(ids(events)));
      assert.equal(consumer.stats.acked, events.length);
      await eventually('the acks to count', async () =>
        (await chat.info()).pending === 0 ? true : undefined,
      );
    });

    it('consumer client nacks a failing handler with backoff; the event comes back', async () => {
      await drain(chat);
      const event = todoEvent();
      await enqueue(engine, 'chat', event);
      const seen: number[] = [];
      const consumer = consume({
        url: server.url,
        app: 'chat',
        queue: 'todos',
        credential: chatCredential,
        waitMs: 200,
        retryDelayMs: (n) => 100 * n,
        handler: ({ deliveries }) => {
          seen.push(deliveries);
          if (deliveries < 3) throw new Error('not yet');
        },
      });
      await eventually('the third delivery', async () => (seen.length >= 3 ? true : undefined));
      await consumer.stop();
      assert.deepEqual(seen, [1, 2, 3]);
      assert.equal(consumer.stats.nacked, 2);
      assert.equal(consumer.stats.acked, 1);
    });

    it('acks through another server process what was pulled through one', async () => {
      await drain(chat);
      // A second process of the deployment: its own engine connection, same namespace.
      const second = await startQueueServer(await fixture.open());
      try {
        const there = new QueueApi(second, 'chat', chatCredential);
        const a = todoEvent();
        const b = todoEvent();
        await enqueue(engine, 'chat', a);
        await enqueue(engine, 'chat', b);
        const got = await chat.pull(10, 0);
        assert.deepEqual(ids(got), [a.id, b.id]);
        assert.equal(await there.ack([got[0]!]), 1);
        assert.equal(await there.nack([got[1]!], 0), 1);
        const back = await chat.pull(10, 1_000);
        assert.deepEqual(
          back.map((d) => [d.id, d.deliveries]),
          [[b.id, 2]],
        );
        await there.ack(back);
        await sleep(2_000); // past the ack wait: nothing comes back
        assert.deepEqual(await chat.pull(10, 0), []);
      } finally {
        await second.close();
      }
    });

    it('consumer client stops on a refused credential, and says why', async () => {
      const errors: string[] = [];
      const consumer = consume({
        url: server.url,
        app: 'chat',
        queue: 'todos',
        credential: other.credential,
        handler: () => {},
        onError: (error) => errors.push(error.message),
      });
      await assert.rejects(consumer.done, (error: Error & { code?: string }) => {
        assert.equal(error.code, 'NOT_PERMITTED');
        return true;
      });
      assert.equal(errors.length, 1);
      assert.match(errors[0]!, /403/);
    });

    it('answers a waiting pull with nothing when the server shuts down', async () => {
      // A server of its own (its own engine connection: closing a server closes its engine),
      // closed under a waiting pull.
      const closing = await startQueueServer(await fixture.open());
      const api = new QueueApi(closing, 'chat', chatCredential);
      await drain(api);
      const pulling = api.post('pull', { max: 10, waitMs: 15_000 });
      await sleep(300);
      await closing.close();
      const res = await pulling;
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { deliveries: [] });
    });
  });
}
