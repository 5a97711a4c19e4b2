import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { McError } from '../../sdk/protocol/errors.ts';
import type { Delivery, Engine } from '../../server/engine/index.ts';
import { ENGINES, EngineFixture, eventually } from './helpers/engines.ts';

const WAIT = { max: 100, ackWaitMs: 60_000 };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const offsets = (entries: readonly { offset: number }[]) => entries.map((e) => e.offset);

for (const kind of ENGINES) {
  describe(`engine conformance (${kind}): log`, () => {
    const fixture = new EngineFixture(kind);
    let engine: Engine;
    let peer: Engine;

    before(async () => {
      engine = await fixture.open();
      peer = await fixture.open();
    });
    after(() => fixture.cleanup());

    it('reads an unknown stream as empty, without an epoch', async () => {
      assert.deepEqual(await engine.log.read('never.written', 0, 10), {
        epoch: '',
        last: 0,
        first: 1,
        entries: [],
      });
    });

    it('assigns consecutive offsets in one epoch and reads them back in order', async () => {
      const results = [];
      for (let i = 1; i <= 5; i++) results.push(await engine.log.append('s.order', `p${i}`));
      assert.deepEqual(offsets(results), [1, 2, 3, 4, 5]);
      assert.equal(new Set(results.map((r) => r.epoch)).size, 1);
      assert.ok(results[0]!.epoch.length > 0);

      const all = await peer.log.read('s.order', 0, 100);
      assert.equal(all.epoch, results[0]!.epoch);
      assert.equal(all.first, 1);
      assert.equal(all.last, 5);
      assert.deepEqual(
        all.entries.map((e) => e.payload),
        ['p1', 'p2', 'p3', 'p4', 'p5'],
      );
      assert.ok(all.entries.every((e) => e.time > Date.now() - 60_000 && e.id === undefined));

      const tail = await peer.log.read('s.order', 3, 1);
      assert.deepEqual(offsets(tail.entries), [4]);
      assert.deepEqual(offsets((await peer.log.read('s.order', 5, 10)).entries), []);
    });

    it('keeps offsets unique and gap-free with two writers at once', async () => {
      const writes = await Promise.all(
        Array.from({ length: 40 }, (_, i) => (i % 2 ? engine : peer).log.append('s.race', `w${i}`)),
      );
      const sorted = offsets(writes).sort((a, b) => a - b);
      assert.deepEqual(
        sorted,
        Array.from({ length: 40 }, (_, i) => i + 1),
      );
      const read = await engine.log.read('s.race', 0, 100);
      assert.equal(read.entries.length, 40);
      for (const w of writes) {
        const entry = read.entries.find((e) => e.offset === w.offset)!;
        assert.equal(entry.payload, `w${writes.indexOf(w)}`);
      }
    });

    it('drops a repeated message id within the dedup window', async () => {
      const first = await engine.log.append('s.dedup', 'a', 'msg-1');
      const copy = await peer.log.append('s.dedup', 'a again', 'msg-1');
      const other = await engine.log.append('s.dedup', 'b', 'msg-2');
      assert.deepEqual(copy, { offset: first.offset, epoch: first.epoch, duplicate: true });
      assert.equal(first.duplicate, false);
      assert.equal(other.offset, first.offset + 1);
      const read = await engine.log.read('s.dedup', 0, 10);
      assert.deepEqual(
        read.entries.map((e) => [e.payload, e.id]),
        [
          ['a', 'msg-1'],
          ['b', 'msg-2'],
        ],
      );
    });

    it('keeps the newest maxLen entries', async () => {
      const short = await fixture.open({ retention: { maxLen: 5 } });
      for (let i = 1; i <= 8; i++) await short.log.append('s.maxlen', `p${i}`);
      const read = await short.log.read('s.maxlen', 0, 100);
      assert.equal(read.first, 4);
      assert.equal(read.last, 8);
      assert.deepEqual(offsets(read.entries), [4, 5, 6, 7, 8]);
      assert.deepEqual(
        offsets((await short.log.read('s.maxlen', 1, 100)).entries),
        [4, 5, 6, 7, 8],
      );
    });

    it('drops entries older than maxAge, and never reuses an offset in one epoch', async () => {
      const maxAgeMs = 2_000;
      const brief = await fixture.open({ retention: { maxAgeMs }, dedupWindowMs: 500 });
      const started = Date.now();
      const before = [];
      for (let i = 1; i <= 3; i++) before.push(await brief.log.append('s.maxage', `p${i}`));
      const kept = await brief.log.read('s.maxage', 0, 10);
      // On a loaded CI machine the appends alone can take longer than maxAge (it failed so
      // once at 1 s): the entries must be all there only while none can have expired yet.
      if (Date.now() - started < maxAgeMs) assert.equal(kept.entries.length, 3);
      assert.deepEqual(offsets(kept.entries), [1, 2, 3].slice(3 - kept.entries.length));
      const expired = await eventually(
        'the entries to expire',
        async () => {
          const read = await brief.log.read('s.maxage', 0, 10);
          return read.entries.length === 0 ? read : undefined;
        },
        20_000,
      );
      assert.ok(expired.epoch === '' || expired.first > 3);
      const next = await brief.log.append('s.maxage', 'p4');
      // The stream either lives on (same epoch, offsets go on) or was forgotten (new epoch).
      if (next.epoch === before[0]!.epoch) assert.equal(next.offset, 4);
      else assert.equal(next.offset, 1);
    });

    it('hands each entry to a group once, and acked entries never again', async () => {
      for (let i = 1; i <= 5; i++) await engine.log.append('s.group', `p${i}`);
      const got = await engine.log.consume('s.group', 'workers', WAIT);
      assert.deepEqual(offsets(got), [1, 2, 3, 4, 5]);
      assert.ok(got.every((d) => d.deliveries === 1));
      assert.deepEqual(await peer.log.consume('s.group', 'workers', WAIT), []);
      for (const d of got) await engine.log.ack('s.group', 'workers', d);
      await engine.log.append('s.group', 'p6');
      assert.deepEqual(offsets(await peer.log.consume('s.group', 'workers', WAIT)), [6]);
    });

    it('gives every group all entries, from the oldest retained', async () => {
      for (let i = 1; i <= 3; i++) await engine.log.append('s.groups', `p${i}`);
      const a = await engine.log.consume('s.groups', 'a', WAIT);
      const b = await peer.log.consume('s.groups', 'b', WAIT);
      assert.deepEqual(offsets(a), [1, 2, 3]);
      assert.deepEqual(offsets(b), [1, 2, 3]);
      assert.deepEqual(
        b.map((d) => d.payload),
        ['p1', 'p2', 'p3'],
      );
    });

    it('splits a group between two members without overlap', async () => {
      for (let i = 1; i <= 20; i++) await engine.log.append('s.split', `p${i}`);
      const options = { max: 7, ackWaitMs: 60_000 };
      const seen: number[] = [];
      for (;;) {
        const [x, y] = await Promise.all([
          engine.log.consume('s.split', 'g', options),
          peer.log.consume('s.split', 'g', options),
        ]);
        if (x.length + y.length === 0) break;
        seen.push(...offsets(x), ...offsets(y));
      }
      assert.deepEqual(
        seen.sort((a, b) => a - b),
        Array.from({ length: 20 }, (_, i) => i + 1),
      );
    });

    it('redelivers what was not acked within ackWait, and not what was', async () => {
      for (let i = 1; i <= 3; i++) await engine.log.append('s.redeliver', `p${i}`);
      const options = { max: 10, ackWaitMs: 1_000 };
      const first = await engine.log.consume('s.redeliver', 'g', options);
      assert.deepEqual(offsets(first), [1, 2, 3]);
      await engine.log.ack('s.redeliver', 'g', first[0]!);
      await engine.log.ack('s.redeliver', 'g', first[0]!); // idempotent
      assert.deepEqual(await peer.log.consume('s.redeliver', 'g', options), []);
      // The member that took them "died"; another one gets the unacked two back.
      const again = await eventually('the redelivery', async () => {
        const got = await peer.log.consume('s.redeliver', 'g', options);
        return got.length > 0 ? got : undefined;
      });
      assert.deepEqual(offsets(again), [2, 3]);
      assert.ok(again.every((d) => d.deliveries === 2));
      assert.deepEqual(
        again.map((d) => d.payload),
        ['p2', 'p3'],
      );
      for (const d of again) await peer.log.ack('s.redeliver', 'g', d);
      // Positive control for "never again": a new unacked entry comes back, the acked do not.
      await engine.log.append('s.redeliver', 'p4');
      const fresh = await engine.log.consume('s.redeliver', 'g', options);
      assert.deepEqual(offsets(fresh), [4]);
      const back: Delivery[] = await eventually('the control entry to come back', async () => {
        const got = await peer.log.consume('s.redeliver', 'g', options);
        return got.length > 0 ? got : undefined;
      });
      assert.deepEqual(offsets(back), [4]);
    });

    it('hands a nacked delivery out again at once, counting it, without waiting for ackWait', async () => {
      for (let i = 1; i <= 3; i++) await engine.log.append('s.nack', `p${i}`);
      const first = await engine.log.consume('s.nack', 'g', WAIT);
      assert.deepEqual(offsets(first), [1, 2, 3]);
      await engine.log.nack('s.nack', 'g', first[1]!, 0);
      // JetStream applies a nack in its own time (milliseconds): wait for it, do not race it.
      const again = await eventually('the nacked delivery', async () => {
        const got = await peer.log.consume('s.nack', 'g', WAIT);
        return got.length > 0 ? got : undefined;
      });
      assert.deepEqual(offsets(again), [2]);
      assert.equal(again[0]!.deliveries, 2);
      assert.equal(again[0]!.payload, 'p2');
      // The others are still held by the first member (ackWait is a minute).
      assert.deepEqual(await peer.log.consume('s.nack', 'g', WAIT), []);
      // Nacked again, then acked by the member that holds it now: gone for good.
      await peer.log.nack('s.nack', 'g', again[0]!, 0);
      const third = await eventually('the nacked delivery again', async () => {
        const got = await engine.log.consume('s.nack', 'g', WAIT);
        return got.length > 0 ? got : undefined;
      });
      assert.deepEqual(
        third.map((d) => [d.offset, d.deliveries]),
        [[2, 3]],
      );
      await engine.log.ack('s.nack', 'g', third[0]!);
      await engine.log.nack('s.nack', 'g', third[0]!, 0); // after the ack: no effect
      assert.deepEqual(await peer.log.consume('s.nack', 'g', WAIT), []);
    });

    it('holds a delayed nack back for its delay, even past the ack wait', async () => {
      await engine.log.append('s.nackdelay', 'p1');
      const options = { max: 10, ackWaitMs: 1_000 };
      const [d] = await engine.log.consume('s.nackdelay', 'g', options);
      assert.ok(d);
      const delayMs = 3_000;
      const nacked = Date.now();
      await engine.log.nack('s.nackdelay', 'g', d, delayMs);
      assert.deepEqual(await peer.log.consume('s.nackdelay', 'g', options), []);
      await sleep(1_500); // past the ack wait, short of the delay
      const early = await peer.log.consume('s.nackdelay', 'g', options);
      // A loaded machine may oversleep into the delay's end: assert only while it cannot have.
      if (Date.now() - nacked < delayMs - 200) assert.deepEqual(early, []);
      const back =
        early.length > 0
          ? early
          : await eventually('the delayed redelivery', async () => {
              const got = await peer.log.consume('s.nackdelay', 'g', options);
              return got.length > 0 ? got : undefined;
            });
      assert.ok(Date.now() - nacked >= delayMs - 50, 'not before the delay');
      assert.deepEqual(
        back.map((x) => [x.offset, x.deliveries]),
        [[1, 2]],
      );
    });

    it('tells how far a group is behind: backlog and pending', async () => {
      assert.deepEqual(await engine.log.groupInfo('s.info', 'g'), { backlog: 0, pending: 0 });
      for (let i = 1; i <= 5; i++) await engine.log.append('s.info', `p${i}`);
      assert.deepEqual(await peer.log.groupInfo('s.info', 'g'), { backlog: 5, pending: 0 });
      const got = await engine.log.consume('s.info', 'g', { max: 3, ackWaitMs: 60_000 });
      assert.deepEqual(await peer.log.groupInfo('s.info', 'g'), { backlog: 2, pending: 3 });
      await engine.log.ack('s.info', 'g', got[0]!);
      await engine.log.nack('s.info', 'g', got[1]!, 0);
      // JetStream applies acks in its own time: wait for it rather than race it.
      await eventually('the ack to count', async () => {
        const info = await peer.log.groupInfo('s.info', 'g');
        return info.pending === 2 ? info : undefined;
      });
      assert.deepEqual(await peer.log.groupInfo('s.info', 'g'), { backlog: 2, pending: 2 });
      assert.deepEqual(await peer.log.groupInfo('s.info', 'other'), { backlog: 5, pending: 0 });
    });

    it('refuses forged tokens, and never touches another stream with one', async () => {
      await engine.log.append('s.tok.a', 'a1');
      await engine.log.append('s.tok.b', 'b1');
      const [a] = await engine.log.consume('s.tok.a', 'g', WAIT);
      const [b] = await engine.log.consume('s.tok.b', 'g', WAIT);
      assert.ok(a && b);
      for (const token of ['', 'x', '1; DROP', '0-0', '$JS.ACK.x.y.1.1.1.1.1', 'a.b.c']) {
        await assert.rejects(engine.log.ack('s.tok.a', 'g', { token }), isInvalid);
        await assert.rejects(engine.log.nack('s.tok.a', 'g', { token }, 0), isInvalid);
      }
      await assert.rejects(engine.log.nack('s.tok.a', 'g', a, -1), isInvalid);
      // b's token used on stream a, or for group h: refused, or it names a's entry of the
      // same offset (the token carries no stream: the caller's path does); b's stays pending.
      await engine.log.ack('s.tok.a', 'g', b).catch(isInvalid);
      await engine.log.ack('s.tok.b', 'h', b).catch(isInvalid);
      await engine.log.nack('s.tok.b', 'g', b, 0);
      const back = await eventually('b back', async () => {
        const got = await peer.log.consume('s.tok.b', 'g', WAIT);
        return got.length > 0 ? got : undefined;
      });
      assert.deepEqual(
        back.map((d) => [d.payload, d.deliveries]),
        [['b1', 2]],
      );
    });
  });
}

function isInvalid(error: unknown): boolean {
  assert.ok(error instanceof McError, String(error));
  assert.equal(error.code, 'INVALID_ARGUMENT');
  return true;
}
