import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { createEngine } from '../../server/engine/index.ts';
import type { McServer } from '../../server/server.ts';
import { metric, startServer, TestClient } from './helpers/ws-client.ts';

const TODO = { app: 'todo', x: 0, y: 0, width: 300, height: 200 };
const CHAT = { app: 'chat', x: 320, y: 0, width: 300, height: 200 };

let spaceCount = 0;
/** A fresh space with these members. */
async function space(server: McServer, members: string[] = ['ann']): Promise<string> {
  const id = `s${++spaceCount}`;
  await server.spaces.create(id, { members });
  return id;
}

describe('canvas sync over one server', { timeout: 30_000 }, () => {
  let server: McServer;
  before(async () => {
    server = await startServer();
  });
  after(() => server.close());

  it('refuses a non-member exactly as a missing space, for join and edit (SRV-2)', async () => {
    const id = await space(server, ['ann']);
    const bob = await TestClient.open(server, { user: 'bob' });
    const forbidden = await bob.join(id);
    const missing = await bob.join('no-such-space');
    assert.equal(forbidden.t, 'error');
    assert.deepEqual({ ...forbidden, id: 0 }, { ...missing, id: 0 });
    assert.deepEqual(
      { ...(await bob.edit(id, [{ slot: 'a', base: 0, set: TODO }])), id: 0 },
      { ...missing, id: 0 },
    );
    assert.equal(missing.t === 'error' && missing.code, 'NOT_FOUND');
    // Nothing was written: ann sees an empty canvas.
    const ann = await TestClient.open(server, { user: 'ann' });
    const snapshot = await ann.join(id);
    assert.deepEqual(snapshot.t === 'snapshot' && [snapshot.rev, snapshot.slots], [0, []]);
    // A member added later gets in.
    await server.spaces.addMembers(id, ['bob']);
    assert.equal((await bob.join(id)).t, 'snapshot');
    bob.close();
    ann.close();
  });

  it('joins with a snapshot, then pushes every edit in order to every joined client', async () => {
    const id = await space(server, ['ann']);
    const laptop = await TestClient.open(server, { user: 'ann' });
    const phone = await TestClient.open(server, { user: 'ann' });
    assert.deepEqual(await laptop.edit(id, [{ slot: 'todo-1', base: 0, set: TODO }]), {
      t: 'ack',
      id: 1,
      rev: 1,
      lost: [],
    });
    const snapshot = await phone.join(id);
    assert.deepEqual(snapshot, {
      t: 'snapshot',
      id: 1,
      space: id,
      rev: 1,
      slots: [{ slot: 'todo-1', rev: 1, fields: TODO }],
    });
    await laptop.join(id);
    await laptop.edit(id, [{ slot: 'todo-1', base: 1, set: { x: 50 } }]);
    await laptop.edit(id, [{ slot: 'chat-1', base: 0, set: CHAT }]);
    const first = await phone.next((f) => f.t === 'changed');
    const second = await phone.next((f) => f.t === 'changed');
    assert.deepEqual(first, {
      t: 'changed',
      space: id,
      rev: 2,
      slots: [{ slot: 'todo-1', rev: 2, set: { x: 50 } }],
      by: { user: 'ann', device: first.t === 'changed' ? first.by.device : '' },
    });
    assert.equal(second.t === 'changed' && second.rev, 3);
    // The author gets its own changes too (it may have several tabs on one device).
    assert.equal((await laptop.next((f) => f.t === 'changed')).t, 'changed');
    laptop.send({ t: 'leave', space: id });
    await phone.edit(id, [{ slot: 'chat-1', base: 3, remove: true }]);
    assert.equal((await phone.next((f) => f.t === 'changed' && f.rev === 4)).t, 'changed');
    assert.equal((await laptop.request({ t: 'ping' })).t, 'pong');
    assert.equal(laptop.frames.filter((f) => f.t === 'changed' && f.rev === 4).length, 0);
    laptop.close();
    phone.close();
  });

  it('serves a snapshot of large configs that every client can read', async () => {
    const id = await space(server, ['ann']);
    const writer = await TestClient.open(server, { user: 'ann' });
    // Each edit is within a client frame's bounds; together they are beyond them.
    const config = Array(9_000).fill(7);
    for (const slot of ['a', 'b']) {
      const ack = await writer.edit(id, [{ slot, base: 0, set: { ...TODO, config } }]);
      assert.equal(ack.t, 'ack');
    }
    const reader = await TestClient.open(server, { user: 'ann' });
    const snapshot = await reader.join(id); // TestClient throws on a frame it cannot decode
    assert.deepEqual(
      snapshot.t === 'snapshot' && snapshot.slots.map((s) => (s.fields.config as unknown[]).length),
      [9_000, 9_000],
    );
    writer.close();
    reader.close();
  });

  it('keeps both edits when two devices edit different slots concurrently', async () => {
    const id = await space(server, ['ann']);
    const a = await TestClient.open(server, { user: 'ann' });
    const b = await TestClient.open(server, { user: 'ann' });
    await a.edit(id, [
      { slot: 'todo-1', base: 0, set: TODO },
      { slot: 'chat-1', base: 0, set: CHAT },
    ]);
    const [ackA, ackB] = await Promise.all([
      a.edit(id, [{ slot: 'todo-1', base: 1, set: { x: 11, y: 12 } }]),
      b.edit(id, [{ slot: 'chat-1', base: 1, set: { width: 999 } }]),
    ]);
    assert.deepEqual([ackA.t === 'ack' && ackA.lost, ackB.t === 'ack' && ackB.lost], [[], []]);
    assert.equal(
      a.frames.some((f) => f.t === 'lost') || b.frames.some((f) => f.t === 'lost'),
      false,
    );
    const snapshot = await a.join(id);
    assert.ok(snapshot.t === 'snapshot');
    const bySlot = Object.fromEntries(snapshot.slots.map((s) => [s.slot, s.fields]));
    assert.deepEqual(bySlot, {
      'todo-1': { ...TODO, x: 11, y: 12 },
      'chat-1': { ...CHAT, width: 999 },
    });
    a.close();
    b.close();
  });

  it('resolves the same field by server order and tells the overwritten device', async () => {
    const id = await space(server, ['ann', 'bob']);
    const ann = await TestClient.open(server, { user: 'ann' });
    const bob = await TestClient.open(server, { user: 'bob' });
    await ann.join(id);
    await bob.join(id);
    await ann.edit(id, [{ slot: 'todo-1', base: 0, set: TODO }]); // rev 1
    // Both last saw rev 1; ann's write is stored first, bob's (not having seen it) wins.
    await ann.edit(id, [{ slot: 'todo-1', base: 1, set: { x: 10, config: { title: 'ann' } } }]);
    const ack = await bob.edit(id, [{ slot: 'todo-1', base: 1, set: { x: 20, y: 5 } }]);
    assert.deepEqual(ack.t === 'ack' && [ack.rev, ack.lost], [3, []]);
    const lost = await ann.next((f) => f.t === 'lost');
    assert.deepEqual(lost, {
      t: 'lost',
      space: id,
      slot: 'todo-1',
      fields: ['x'],
      by: { user: 'bob', device: lost.t === 'lost' ? lost.by.device : '' },
    });
    assert.equal(lost.t === 'lost' && lost.by.user, 'bob');
    // A write that had seen the previous one overwrites it without a notice.
    await ann.edit(id, [{ slot: 'todo-1', base: 3, set: { x: 30 } }]);
    const snapshot = await bob.join(id);
    assert.ok(snapshot.t === 'snapshot');
    assert.deepEqual(snapshot.slots, [
      { slot: 'todo-1', rev: 4, fields: { ...TODO, x: 30, y: 5, config: { title: 'ann' } } },
    ]);
    assert.equal(bob.frames.filter((f) => f.t === 'lost').length, 0);
    assert.equal(ann.frames.filter((f) => f.t === 'lost').length, 0);
    ann.close();
    bob.close();
  });

  it('stops pushing to a member removed from the space, with the join refusal', async () => {
    const id = await space(server, ['ann', 'bob']);
    const ann = await TestClient.open(server, { user: 'ann' });
    const bob = await TestClient.open(server, { user: 'bob' });
    await bob.join(id);
    await ann.edit(id, [{ slot: 'todo-1', base: 0, set: TODO }]);
    assert.equal((await bob.next((f) => f.t === 'changed')).t, 'changed');
    await server.spaces.removeMembers(id, ['bob']);
    // Pushes check membership when it is older than a second (MEMBERSHIP_RECHECK_MS).
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await ann.edit(id, [{ slot: 'todo-1', base: 1, set: { x: 1 } }]);
    const ended = await bob.next((f) => f.t === 'error');
    assert.deepEqual(ended, { t: 'error', space: id, code: 'NOT_FOUND', message: 'no such space' });
    await ann.edit(id, [{ slot: 'todo-1', base: 2, set: { x: 2 } }]);
    assert.equal((await bob.request({ t: 'ping' })).t, 'pong');
    assert.deepEqual(
      bob.frames.filter((f) => f.t === 'changed'),
      [],
      'no change after the removal reached bob',
    );
    ann.close();
    bob.close();
  });

  it('lets a removal win over an edit that had not seen it, and says so in the ack', async () => {
    const id = await space(server, ['ann']);
    const a = await TestClient.open(server, { user: 'ann' });
    const b = await TestClient.open(server, { user: 'ann' });
    await a.edit(id, [{ slot: 'todo-1', base: 0, set: TODO }]);
    await a.edit(id, [{ slot: 'todo-1', base: 1, remove: true }]);
    const ack = await b.edit(id, [
      { slot: 'todo-1', base: 1, set: { x: 5 } },
      { slot: 'chat-1', base: 0, set: { x: 1 } }, // unknown slot, incomplete: nothing to apply to
    ]);
    assert.deepEqual(ack, {
      t: 'ack',
      id: 1,
      rev: 2,
      lost: [
        { slot: 'todo-1', fields: ['x'] },
        { slot: 'chat-1', fields: ['x'] },
      ],
    });
    // Seen the removal: the slot can be made anew.
    const again = await b.edit(id, [{ slot: 'todo-1', base: 2, set: CHAT }]);
    assert.deepEqual(again.t === 'ack' && [again.rev, again.lost], [3, []]);
    const snapshot = await a.join(id);
    assert.deepEqual(snapshot.t === 'snapshot' && snapshot.slots, [
      { slot: 'todo-1', rev: 3, fields: CHAT },
    ]);
    a.close();
    b.close();
  });
});

describe('canvas sync: a slow reader', { timeout: 30_000 }, () => {
  it('cuts a client that stops reading while a normal client keeps receiving', async () => {
    const server = await startServer({
      limits: { maxBufferedBytes: 256 * 1024, ratePerSec: 10_000, burst: 10_000 },
    });
    try {
      const id = await space(server, ['ann']);
      const writer = await TestClient.open(server, { user: 'ann' });
      const reader = await TestClient.open(server, { user: 'ann' });
      const sleeper = await TestClient.open(server, { user: 'ann' });
      await reader.join(id);
      await sleeper.join(id);
      sleeper.ws.pause();
      const config = { text: 'x'.repeat(40_000) };
      let edits = 0;
      for (; edits < 1_000; edits++) {
        await writer.edit(id, [
          { slot: 'todo-1', base: edits, set: { ...TODO, x: edits, config } },
        ]);
        if (
          edits % 10 === 9 &&
          /reason="slow-reader"[^\n]* 1/.test(await metric(server, 'microcanvas_ws_cuts'))
        ) {
          break;
        }
      }
      assert.ok(edits < 1_000, 'the sleeper was never cut');
      // The reader got every change, in order, up to the last.
      const last = await reader.next((f) => f.t === 'changed' && f.rev === edits + 1);
      assert.equal(last.t, 'changed');
      const revs = reader.frames
        .filter((f) => f.t === 'changed')
        .map((f) => f.t === 'changed' && f.rev);
      assert.deepEqual(
        revs,
        Array.from({ length: edits }, (_, i) => i + 1),
      );
      sleeper.ws.resume();
      await sleeper.closed;
      assert.match(await metric(server, 'microcanvas_ws_connections'), /connections\{[^}]*\} 2/);
      writer.close();
      reader.close();
    } finally {
      await server.close();
    }
  });
});

describe('canvas sync: a failed subscription', { timeout: 30_000 }, () => {
  it('refuses that join, and the next join subscribes again', async () => {
    const engine = await createEngine({ engine: 'embedded', url: ':memory:' });
    let failures = 1;
    const subscribe = engine.pubsub.subscribe.bind(engine.pubsub);
    // Only canvas channels: the server's own subscriptions at start (the registry's) succeed.
    engine.pubsub.subscribe = (channel, handler) =>
      channel.startsWith('canvas.') && failures-- > 0
        ? Promise.reject(new Error('injected: subscribe failed'))
        : subscribe(channel, handler);
    const server = await startServer({ engine });
    try {
      const id = await space(server, ['ann']);
      const ann = await TestClient.open(server, { user: 'ann' });
      const other = await TestClient.open(server, { user: 'ann' });
      const refused = await ann.join(id);
      assert.equal(refused.t === 'error' && refused.code, 'STORAGE_UNAVAILABLE');
      // Another connection's join (the first one's failed feed must not keep the failed
      // subscription alive for it), then the first one's again.
      assert.equal((await other.join(id)).t, 'snapshot');
      assert.equal((await ann.join(id)).t, 'snapshot');
      await ann.edit(id, [{ slot: 'todo-1', base: 0, set: TODO }]);
      assert.equal((await ann.next((f) => f.t === 'changed')).t, 'changed');
      assert.equal((await other.next((f) => f.t === 'changed')).t, 'changed');
      other.close();
      ann.close();
    } finally {
      await server.close();
    }
  });
});

describe('canvas sync: sliding time-to-live', { timeout: 30_000 }, () => {
  it('keeps a space while it is edited, forgets it a TTL after the last edit', async () => {
    const server = await startServer();
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    try {
      await server.spaces.create('brief', { members: ['ann'], ttlMs: 2_000 });
      const ann = await TestClient.open(server, { user: 'ann' });
      await ann.edit('brief', [{ slot: 'todo-1', base: 0, set: TODO }]);
      await sleep(1_200);
      await ann.edit('brief', [{ slot: 'todo-1', base: 1, set: { x: 1 } }]);
      const last = performance.now();
      await sleep(1_200); // 2.4 s after the first edit, 1.2 s after the last
      const alive = await ann.join('brief');
      assert.equal(alive.t === 'snapshot' && alive.slots.length, 1);
      await sleep(Math.max(0, last + 2_300 - performance.now()));
      const gone = await ann.join('brief');
      assert.equal(gone.t === 'error' && gone.code, 'NOT_FOUND');
      // Deleted while its canvas lives, then created anew: it starts empty (a new
      // generation), the old canvas never comes back.
      await server.spaces.create('brief', { members: ['ann'] });
      await ann.edit('brief', [{ slot: 'todo-1', base: 0, set: TODO }]);
      assert.equal(await server.spaces.delete('brief'), true);
      await server.spaces.create('brief', { members: ['ann'] });
      const fresh = await ann.join('brief');
      assert.deepEqual(fresh.t === 'snapshot' && [fresh.rev, fresh.slots], [0, []]);
      ann.close();
    } finally {
      await server.close();
    }
  });
});
