import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';

import type { McServer } from '../../server/server.ts';
import { EngineFixture, ENGINES } from './helpers/engines.ts';
import { startServer, TestClient } from './helpers/ws-client.ts';

const TODO = { app: 'todo', x: 0, y: 0, width: 300, height: 200 };

describe('canvas sync across server processes', { timeout: 60_000 }, () => {
  for (const kind of ENGINES.filter((name) => name !== 'embedded')) {
    describe(kind, () => {
      const fixture = new EngineFixture(kind);
      after(() => fixture.cleanup());

      it('acts as one: an edit on A reaches a client on B and the other way', async () => {
        // Two servers of one deployment: same service, same namespace.
        const a = await startServer({ engine: await fixture.open() });
        const b = await startServer({ engine: await fixture.open() });
        try {
          await a.spaces.create('team', { members: ['ann', 'bob'] });
          const onA = await TestClient.open(a, { user: 'ann' });
          const onB = await TestClient.open(b, { user: 'bob' });
          assert.equal((await onA.join('team')).t, 'snapshot');
          // B reads the space A created: one store.
          assert.equal((await onB.join('team')).t, 'snapshot');
          await onA.edit('team', [{ slot: 'todo-1', base: 0, set: TODO }]);
          const seen = await onB.next((f) => f.t === 'changed');
          assert.deepEqual(seen.t === 'changed' && [seen.rev, seen.slots, seen.by.user], [
            1,
            [{ slot: 'todo-1', rev: 1, set: TODO }],
            'ann',
          ]);
          // Concurrent writes of one field through both processes: one order, one winner,
          // the overwritten device told, wherever it is connected.
          await onB.edit('team', [{ slot: 'todo-1', base: 1, set: { x: 1 } }]);
          await onA.edit('team', [{ slot: 'todo-1', base: 1, set: { x: 2 } }]);
          const lost = await onB.next((f) => f.t === 'lost');
          assert.deepEqual(lost.t === 'lost' && [lost.fields, lost.by.user], [['x'], 'ann']);
          const changed = await onB.next((f) => f.t === 'changed' && f.rev === 3);
          assert.equal(changed.t === 'changed' && changed.by.user, 'ann');
          const snapshot = await onB.join('team');
          assert.deepEqual(snapshot.t === 'snapshot' && snapshot.slots[0]?.fields.x, 2);
          // A removed member's next join is refused on either process.
          await b.spaces.removeMembers('team', ['bob']);
          const refused = await onB.join('team');
          assert.equal(refused.t === 'error' && refused.code, 'NOT_FOUND');
          onA.close();
          onB.close();
        } finally {
          await Promise.all([a.close(), b.close()]);
        }
      });

      it('loses no edit under contention: 8 devices on two processes, one space', async () => {
        const a = await startServer({ engine: await fixture.open() });
        const b = await startServer({ engine: await fixture.open() });
        try {
          await a.spaces.create('busy', { members: ['ann'] });
          const devices = await Promise.all(
            Array.from({ length: 8 }, (_, i) => TestClient.open(i % 2 ? b : a, { user: 'ann' })),
          );
          for (const device of devices) await device.join('busy');
          const EDITS = 10;
          let conflicts = 0;
          await Promise.all(
            devices.map(async (device, d) => {
              for (let e = 1; e <= EDITS; e++) {
                const op = { slot: `d${d}`, base: 0, set: { ...TODO, x: e } };
                for (;;) {
                  const reply = await device.edit('busy', [op]);
                  if (reply.t === 'ack') break;
                  assert.equal(reply.t === 'error' && reply.code, 'CONFLICT');
                  conflicts++;
                }
              }
            }),
          );
          const snapshot = await devices[0]!.join('busy');
          assert.ok(snapshot.t === 'snapshot');
          assert.equal(snapshot.rev, devices.length * EDITS);
          assert.deepEqual(
            snapshot.slots.map((s) => [s.slot, s.fields.x]).sort(),
            devices.map((_, d) => [`d${d}`, EDITS]).sort(),
          );
          // Every device got the pushes in strictly increasing rev order, from both processes.
          for (const device of devices.slice(1)) {
            await device.next((f) => f.t === 'changed' && f.rev === snapshot.rev);
            const revs = device.frames.flatMap((f) => (f.t === 'changed' ? [f.rev] : []));
            assert.ok(
              revs.every((rev, i) => i === 0 || rev > revs[i - 1]!),
              String(revs),
            );
          }
          // One queue per space in each process: only the two processes contend, and 20
          // attempts with backoff are plenty for them.
          assert.equal(conflicts, 0);
          for (const device of devices) device.close();
        } finally {
          await Promise.all([a.close(), b.close()]);
        }
      });
    });
  }
});

describe('canvas sync: restart of an embedded server', { timeout: 30_000 }, () => {
  const fixture = new EngineFixture('embedded');
  after(() => fixture.cleanup());

  it('keeps every acknowledged edit on the same SQLite file', async () => {
    const engine = { engine: 'embedded' as const, url: fixture.url };
    let server: McServer = await startServer({ engine });
    await server.spaces.create('mine', { members: ['ann'], ttlMs: 60_000 });
    const client = await TestClient.open(server, { user: 'ann' });
    const acks = [];
    for (let i = 0; i < 20; i++) {
      acks.push(await client.edit('mine', [{ slot: `s${i}`, base: 0, set: { ...TODO, x: i } }]));
    }
    assert.ok(acks.every((ack) => ack.t === 'ack'));
    await server.close();
    // A graceful stop tells connected clients before it closes them.
    assert.equal(await client.closed, 1001);
    assert.deepEqual(await client.next((f) => f.t === 'gap'), { t: 'gap', reason: 'shutdown' });
    server = await startServer({ engine });
    try {
      const again = await TestClient.open(server, { user: 'ann' });
      const snapshot = await again.join('mine');
      assert.ok(snapshot.t === 'snapshot');
      assert.equal(snapshot.rev, 20);
      assert.deepEqual(
        snapshot.slots.map((s) => s.fields.x).sort((p, q) => p - q),
        Array.from({ length: 20 }, (_, i) => i),
      );
      again.close();
    } finally {
      await server.close();
    }
  });
});
