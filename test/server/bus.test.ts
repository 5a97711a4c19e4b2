import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';

import type { EventFrame, ServerFrame } from '../../sdk/protocol/index.ts';
import type { McServer } from '../../server/server.ts';
import { EngineFixture, ENGINES } from './helpers/engines.ts';
import { metric, startServer, TestClient } from './helpers/ws-client.ts';

const isEvent = (f: ServerFrame): f is EventFrame => f.t === 'event';

let msgs = 0;
function msgId(): string {
  return `m-${process.pid}-${++msgs}-${Math.random().toString(36).slice(2, 8)}`;
}

function publish(client: TestClient, space: string, n: number, id = msgId()) {
  return client.request({
    t: 'publish',
    space,
    msgId: id,
    app: 'todo',
    topic: 'todo.item.completed',
    data: JSON.stringify({ n }),
  });
}

/** Takes `client`'s events, in the order received, up to the first at or past `offset`. */
async function eventsUpTo(client: TestClient, offset: number): Promise<EventFrame[]> {
  const out: EventFrame[] = [];
  while (out.length === 0 || out.at(-1)!.offset < offset) out.push(await client.next(isEvent));
  return out;
}

/** What a follower got against what was published: the four counts. */
function tally(sent: number[], received: EventFrame[]) {
  const got = received.map((e) => JSON.parse(e.data) as { n: number }).map((d) => d.n);
  return {
    sent: sent.length,
    received: got.length,
    duplicated: got.length - new Set(got).size,
    lost: sent.filter((n) => !got.includes(n)).length,
  };
}

describe('event sync (publish, follow, resume)', { timeout: 60_000 }, () => {
  for (const kind of ENGINES) {
    describe(kind, () => {
      const fixture = new EngineFixture(kind);
      after(() => fixture.cleanup());

      it('relays events in offset order, stamped by the server, a resend stored once', async () => {
        const server = await startServer({ engine: await fixture.open() });
        try {
          await server.spaces.create('team', { members: ['ann', 'bob'] });
          const laptop = await TestClient.open(server, { user: 'ann' });
          const phone = await TestClient.open(server, { user: 'bob' });
          const resumed = await phone.request({ t: 'follow', space: 'team' });
          assert.equal(resumed.t === 'resumed' && resumed.recovered, false);
          const first = await publish(laptop, 'team', 1, 'resend-me-1');
          assert.ok(first.t === 'published');
          // The same message again (a resend after a reconnect): same offset, no new event.
          const again = await publish(laptop, 'team', 1, 'resend-me-1');
          assert.deepEqual(again, { ...first, id: (again as { id: number }).id });
          const second = await publish(laptop, 'team', 2);
          assert.ok(second.t === 'published' && second.offset === first.offset + 1);
          const got = await eventsUpTo(phone, second.offset);
          assert.deepEqual(
            got.map((e) => [e.offset, e.app, e.topic, e.data, e.by.user]),
            [
              [first.offset, 'todo', 'todo.item.completed', '{"n":1}', 'ann'],
              [second.offset, 'todo', 'todo.item.completed', '{"n":2}', 'ann'],
            ],
          );
          // Followed before the stream had any entry: its first epoch is not a loss.
          assert.deepEqual(
            phone.frames.filter((f) => f.t === 'resumed'),
            [],
          );
          laptop.close();
          phone.close();
        } finally {
          await server.close();
        }
      });

      it('resumes a follower from its last offset: nothing lost, nothing twice', async () => {
        const server = await startServer({ engine: await fixture.open() });
        try {
          await server.spaces.create('resume', { members: ['ann'] });
          const laptop = await TestClient.open(server, { user: 'ann' });
          let phone = await TestClient.open(server, { user: 'ann' });
          await phone.request({ t: 'follow', space: 'resume' });
          const sent: number[] = [];
          let last = 0;
          for (let n = 1; n <= 30; n++) {
            const ack = await publish(laptop, 'resume', n);
            assert.ok(ack.t === 'published');
            sent.push(n);
            last = ack.offset;
          }
          const before = await eventsUpTo(phone, last);
          const position = { epoch: before.at(-1)!.epoch, offset: before.at(-1)!.offset };
          phone.close();
          // Offline: 40 more, then back on another connection, from where it was.
          for (let n = 31; n <= 70; n++) {
            const ack = await publish(laptop, 'resume', n);
            assert.ok(ack.t === 'published');
            sent.push(n);
            last = ack.offset;
          }
          phone = await TestClient.open(server, { user: 'ann' });
          const resumed = await phone.request({ t: 'follow', space: 'resume', from: position });
          assert.deepEqual(resumed.t === 'resumed' && [resumed.recovered, resumed.states], [
            true,
            undefined,
          ]);
          // Live events keep coming behind the missed ones.
          for (let n = 71; n <= 80; n++) {
            const ack = await publish(laptop, 'resume', n);
            assert.ok(ack.t === 'published');
            sent.push(n);
            last = ack.offset;
          }
          const afterwards = await eventsUpTo(phone, last);
          const counts = tally(sent, [...before, ...afterwards]);
          assert.deepEqual(counts, { sent: 80, received: 80, duplicated: 0, lost: 0 });
          const resumes = await metric(server, 'microcanvas_bus_resumes_total');
          assert.match(resumes, /recovered="true"[^}]*\} 1$/m);
          assert.match(resumes, /recovered="new"[^}]*\} 1$/m);
          assert.doesNotMatch(resumes, /recovered="false"/);
          assert.match(
            await metric(server, 'microcanvas_bus_appends_total'),
            /result="stored"[^}]*\} 80$/m,
          );
          const offsets = afterwards.map((e) => e.offset);
          assert.deepEqual(
            offsets,
            [...offsets].sort((a, b) => a - b),
          );
          laptop.close();
          phone.close();
        } finally {
          await server.close();
        }
      });

      it('beyond retention: recovered false, with the public states instead', async () => {
        const server = await startServer({
          engine: await fixture.open({ retention: { maxLen: 5 } }),
        });
        try {
          await server.spaces.create('short', { members: ['ann'] });
          const laptop = await TestClient.open(server, { user: 'ann' });
          const state = await laptop.request({
            t: 'publish',
            space: 'short',
            msgId: msgId(),
            app: 'todo',
            data: '{"open":3}',
          });
          assert.ok(state.t === 'published');
          const position = { epoch: state.epoch, offset: state.offset };
          for (let n = 1; n <= 20; n++) await publish(laptop, 'short', n);
          const phone = await TestClient.open(server, { user: 'ann' });
          const resumed = await phone.request({ t: 'follow', space: 'short', from: position });
          assert.ok(resumed.t === 'resumed');
          assert.equal(resumed.recovered, false);
          assert.deepEqual(resumed.states, [{ app: 'todo', data: '{"open":3}' }]);
          // Another epoch (the engine lost the stream) is no position either.
          const other = await phone.request({
            t: 'follow',
            space: 'short',
            from: { epoch: 'not-this-one', offset: resumed.offset },
          });
          assert.equal(other.t === 'resumed' && other.recovered, false);
          laptop.close();
          phone.close();
        } finally {
          await server.close();
        }
      });
    });
  }

  for (const kind of ENGINES.filter((name) => name !== 'embedded')) {
    it(`${kind}: an event through process A reaches a follower on B, and B's resume`, async () => {
      const fixture = new EngineFixture(kind);
      const a = await startServer({ engine: await fixture.open() });
      const b = await startServer({ engine: await fixture.open() });
      try {
        await a.spaces.create('both', { members: ['ann'] });
        const onA = await TestClient.open(a, { user: 'ann' });
        let onB = await TestClient.open(b, { user: 'ann' });
        await onB.request({ t: 'follow', space: 'both' });
        const sent: number[] = [];
        const burst = [];
        for (let n = 1; n <= 50; n++) {
          sent.push(n);
          burst.push(publish(onA, 'both', n));
        }
        const acks = await Promise.all(burst);
        const last = Math.max(...acks.map((ack) => (ack.t === 'published' ? ack.offset : 0)));
        const live = await eventsUpTo(onB, last);
        const position = { epoch: live.at(-1)!.epoch, offset: live.at(-1)!.offset };
        onB.close();
        for (let n = 51; n <= 60; n++) {
          sent.push(n);
          await publish(onA, 'both', n);
        }
        // The follower comes back through the other process.
        onB = await TestClient.open(a, { user: 'ann' });
        const resumed = await onB.request({ t: 'follow', space: 'both', from: position });
        assert.equal(resumed.t === 'resumed' && resumed.recovered, true);
        const rest = await eventsUpTo(onB, last + 10);
        assert.deepEqual(tally(sent, [...live, ...rest]), {
          sent: 60,
          received: 60,
          duplicated: 0,
          lost: 0,
        });
        onA.close();
        onB.close();
      } finally {
        await Promise.all([a.close(), b.close()]);
        await fixture.cleanup();
      }
    });
  }
});

describe('event sync: history lost while following', { timeout: 30_000 }, () => {
  // Redis forgets a stream whose every entry expired, so the next append starts a new epoch:
  // what an engine that lost history looks like to a follower.
  const kinds = ENGINES.filter((name) => name === 'redis');
  for (const kind of kinds) {
    const fixture = new EngineFixture(kind);
    after(() => fixture.cleanup());

    it(`${kind}: a follower is told (recovered false, states) and goes on in the new epoch`, async () => {
      const server = await startServer({
        engine: await fixture.open({ retention: { maxAgeMs: 300 } }),
      });
      try {
        await server.spaces.create('fleeting', { members: ['ann'] });
        const laptop = await TestClient.open(server, { user: 'ann' });
        const phone = await TestClient.open(server, { user: 'ann' });
        await phone.request({ t: 'follow', space: 'fleeting' });
        const first = await publish(laptop, 'fleeting', 1);
        assert.ok(first.t === 'published');
        const [seen] = await eventsUpTo(phone, first.offset);
        await new Promise((resolve) => setTimeout(resolve, 1_200));
        const second = await publish(laptop, 'fleeting', 2);
        assert.ok(second.t === 'published');
        assert.notEqual(second.epoch, first.epoch);
        const told = await phone.next((f) => f.t === 'resumed');
        assert.deepEqual(told.t === 'resumed' && [told.id, told.recovered, told.epoch], [
          undefined,
          false,
          second.epoch,
        ]);
        const [next] = await eventsUpTo(phone, second.offset);
        assert.deepEqual(
          [seen!.data, next!.data, next!.epoch],
          ['{"n":1}', '{"n":2}', second.epoch],
        );
        laptop.close();
        phone.close();
      } finally {
        await server.close();
      }
    });
  }
});

describe('event sync: a long resume', { timeout: 60_000 }, () => {
  it('replays 5 MiB of history to a reading client without cutting it as a slow reader', async () => {
    const server = await startServer();
    try {
      await server.spaces.create('busy', { members: ['ann'] });
      const gen = (await server.spaces.get('busy'))!.gen;
      // Written straight into the space's stream (faster than publishing through the socket):
      // 100 events of 50 KiB, what one read of the log hands the catch-up at once.
      const data = JSON.stringify({ pad: 'x'.repeat(50 * 1024) });
      const by = { user: 'ann', device: 'elsewhere' };
      for (let n = 1; n <= 100; n++) {
        const event = { msgId: `bulk-${n}`, app: 'todo', topic: 'todo.item.completed', data, by };
        await server.engine.log.append(`bus.busy.${gen}`, JSON.stringify(event));
      }
      const phone = await TestClient.open(server, { user: 'ann' });
      const resumed = await phone.request({
        t: 'follow',
        space: 'busy',
        from: { epoch: '', offset: 0 },
      });
      assert.equal(resumed.t === 'resumed' && resumed.recovered, true);
      const got = await eventsUpTo(phone, 100);
      assert.equal(got.length, 100);
      assert.equal(phone.closeCode, undefined);
      phone.close();
    } finally {
      await server.close();
    }
  });
});

describe('event sync refusals', { timeout: 30_000 }, () => {
  let server: McServer;
  after(() => server?.close());

  it('refuses a non-member like a missing space, and a topic outside its app', async () => {
    server = await startServer();
    await server.spaces.create('private', { members: ['ann'] });
    const eve = await TestClient.open(server, { user: 'eve' });
    const follow = await eve.request({ t: 'follow', space: 'private' });
    const missing = await eve.request({ t: 'follow', space: 'nowhere' });
    assert.deepEqual(
      [follow.t === 'error' && follow.code, missing.t === 'error' && missing.code],
      ['NOT_FOUND', 'NOT_FOUND'],
    );
    assert.equal(
      follow.t === 'error' && missing.t === 'error' && follow.message,
      missing.t === 'error' && missing.message,
    );
    const pub = await publish(eve, 'private', 1);
    assert.equal(pub.t === 'error' && pub.code, 'NOT_FOUND');
    const ann = await TestClient.open(server, { user: 'ann' });
    const forged = await ann.request({
      t: 'publish',
      space: 'private',
      msgId: msgId(),
      app: 'todo',
      topic: 'chat.message.sent',
      data: '{}',
    });
    assert.equal(forged.t === 'error' && forged.code, 'NOT_PERMITTED');
    const big = await ann.request({
      t: 'publish',
      space: 'private',
      msgId: msgId(),
      app: 'todo',
      topic: 'todo.item.completed',
      data: 'x'.repeat(61 * 1024),
    });
    assert.equal(big.t === 'error' && big.code, 'MALFORMED_MESSAGE');
    // Public states are bounded per space, in bytes (512 KiB): the tenth state of 55 KiB is
    // one too many, while a new value of a state already kept still fits.
    const codes: string[] = [];
    for (let i = 0; i < 10; i++) {
      const reply = await ann.request({
        t: 'publish',
        space: 'private',
        msgId: msgId(),
        app: `app${i}`,
        data: JSON.stringify('x'.repeat(55 * 1024)),
      });
      codes.push(reply.t === 'error' ? reply.code : reply.t);
    }
    assert.deepEqual(codes, [...Array(9).fill('published'), 'QUOTA_EXCEEDED']);
    const again = await ann.request({
      t: 'publish',
      space: 'private',
      msgId: msgId(),
      app: 'app0',
      data: '"small"',
    });
    assert.equal(again.t, 'published');
    eve.close();
    ann.close();
  });

  it('ends the pushes of a member removed from the space (SRV-2)', async () => {
    await server.spaces.create('shrinking', { members: ['ann', 'bob'] });
    const ann = await TestClient.open(server, { user: 'ann' });
    const bob = await TestClient.open(server, { user: 'bob' });
    await bob.request({ t: 'follow', space: 'shrinking' });
    await publish(ann, 'shrinking', 1);
    await bob.next(isEvent);
    await server.spaces.removeMembers('shrinking', ['bob']);
    // The channel re-reads the member list when an event comes a second after its last check.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await publish(ann, 'shrinking', 2);
    const ended = await bob.next((f) => f.t === 'error');
    assert.deepEqual(ended, {
      t: 'error',
      space: 'shrinking',
      code: 'NOT_FOUND',
      message: 'no such space',
    });
    await publish(ann, 'shrinking', 3);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.deepEqual(bob.frames.filter(isEvent), []);
    ann.close();
    bob.close();
  });
});
