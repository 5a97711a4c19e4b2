import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { createEngine } from '../../server/engine/index.ts';
import { startServer, TestClient } from './helpers/ws-client.ts';

/**
 * A process killed between storing an event and announcing it on pub/sub (the window the
 * kill -9 test of faults-cluster.test.ts can hit): the publisher never heard `published` and
 * resends the same msgId to the other process, which finds it stored. That resend must
 * announce the stored event, or followers wait for the next event of the space, which in a
 * quiet space may never come. The lost announcement is injected (a failing pub/sub publish).
 */
describe('fault: an event stored but never announced', { timeout: 10_000 }, () => {
  it('reaches the followers when its publisher resends it, with the data first stored', async () => {
    const engine = await createEngine({ engine: 'embedded', url: ':memory:' });
    let failures = 1;
    const publish = engine.pubsub.publish.bind(engine.pubsub);
    engine.pubsub.publish = (channel, payload) =>
      failures-- > 0
        ? Promise.reject(new Error('injected: the process died before announcing'))
        : publish(channel, payload);
    const server = await startServer({ engine });
    try {
      await server.spaces.create('quiet', { members: ['ann'] });
      const phone = await TestClient.open(server, { user: 'ann' });
      const laptop = await TestClient.open(server, { user: 'ann' });
      assert.equal((await phone.request({ t: 'follow', space: 'quiet' })).t, 'resumed');
      const event = (data: string) => ({
        t: 'publish',
        space: 'quiet',
        msgId: 'stored-not-announced',
        app: 'todo',
        topic: 'todo.item.completed',
        data,
      });
      const first = await laptop.request(event('{"n":1}'));
      assert.equal(first.t, 'published');
      await assert.rejects(
        phone.next((f) => f.t === 'event', 300),
        /no matching frame/,
      );
      // The resend (its data changed: the stored copy is what followers get).
      const again = await laptop.request(event('{"n":"other"}'));
      assert.deepEqual(again, { ...first, id: (again as { id: number }).id });
      const got = await phone.next((f) => f.t === 'event', 2_000);
      assert.ok(got.t === 'event' && first.t === 'published');
      assert.deepEqual([got.offset, got.data], [first.offset, '{"n":1}']);
      // Once: a third copy announces again, and the follower, which has it, drops it.
      await laptop.request(event('{"n":1}'));
      await assert.rejects(
        phone.next((f) => f.t === 'event', 300),
        /no matching frame/,
      );
      phone.close();
      laptop.close();
    } finally {
      await server.close();
    }
  });
});

/**
 * A follower of a space that is deleted and created anew (or lost with a Redis without
 * persistence, then created again) follows the old generation's stream, where nothing
 * arrives any more. It is told NOT_FOUND by the quiet channels' membership sweep
 * (QUIET_RECHECK_MS) and follows again. Before the sweep it heard nothing, and was never told.
 */
describe('fault: a space created anew while followed', { timeout: 15_000 }, () => {
  it('tells its followers NOT_FOUND; followed again, they get the new events', async (t) => {
    const server = await startServer();
    try {
      await server.spaces.create('anew', { members: ['ann'] });
      const phone = await TestClient.open(server, { user: 'ann' });
      const laptop = await TestClient.open(server, { user: 'ann' });
      assert.equal((await phone.request({ t: 'follow', space: 'anew' })).t, 'resumed');
      await server.spaces.delete('anew');
      await server.spaces.create('anew', { members: ['ann'] });
      const started = performance.now();
      const told = await phone.next((f) => f.t === 'error' && f.space === 'anew', 8_000);
      t.diagnostic(`told after ${Math.round(performance.now() - started)} ms`);
      assert.equal(told.t === 'error' && told.code, 'NOT_FOUND');
      assert.equal((await phone.request({ t: 'follow', space: 'anew' })).t, 'resumed');
      const published = await laptop.request({
        t: 'publish',
        space: 'anew',
        msgId: 'anew-msg-1',
        app: 'todo',
        topic: 'todo.item.completed',
        data: '{"n":1}',
      });
      assert.equal(published.t, 'published');
      const got = await phone.next((f) => f.t === 'event', 2_000);
      assert.equal(got.t === 'event' && got.data, '{"n":1}');
      phone.close();
      laptop.close();
    } finally {
      await server.close();
    }
  });
});
