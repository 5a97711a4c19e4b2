import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';

import { freePort } from './helpers/processes.ts';
import { ENGINES } from './helpers/engines.ts';
import {
  newSecret,
  numbers,
  Receiver,
  receivedWhen,
  todoEntry,
  WebhookRig,
  type AdminAnswer,
} from './helpers/webhooks.ts';
import { metric } from './helpers/ws-client.ts';

/**
 * The webhook faults (THREATS.md SRV-6), each with a real receiver process and real HTTP, the
 * retry schedule (0, 5 s, 5 min, 30 min) on a fake clock that the test moves: a backend
 * down for a while, one that hangs, 410, 429 with Retry-After, every attempt failing (dead
 * letter, replay), and a target on a private address that is not allow-listed.
 */

/** A short real wait, to show that nothing happens (what is asserted is an absence). */
const quiet = (ms = 400) => new Promise((resolve) => setTimeout(resolve, ms));

const attempts = (n: number) => (s: AdminAnswer) => s.current?.attempts === n;

for (const kind of ENGINES) {
  describe(`webhook faults on ${kind}`, { timeout: 120_000 }, () => {
    const secret = newSecret();
    let rig: WebhookRig | undefined;
    let receiver: Receiver | undefined;

    afterEach(async () => {
      await rig?.close();
      await receiver?.stop();
      rig = receiver = undefined;
    });

    it('retries a backend that is down on the schedule, then delivers everything in order', async () => {
      const port = await freePort();
      rig = await WebhookRig.start(kind, todoEntry(`http://127.0.0.1:${port}/hooks`, [secret]));
      for (let n = 1; n <= 3; n++) await rig.publish(n);
      // Nobody listens: connection refused, then 5 s later, again.
      const first = await rig.statusWhen('attempt 1', attempts(1));
      assert.equal(Date.parse(first.current!.nextAt) - first.last!.at, 5_000);
      assert.match(first.last!.error ?? '', /ECONNREFUSED/);
      assert.equal(first.pending, 3);
      rig.clock.advance(4_999);
      await quiet();
      assert.equal((await rig.admin()).body.current?.attempts, 1, 'not before its time');
      rig.clock.advance(1);
      const second = await rig.statusWhen('attempt 2', attempts(2));
      assert.equal(Date.parse(second.current!.nextAt) - second.last!.at, 300_000);
      // The backend comes back; its next attempt is due 5 minutes later.
      receiver = await Receiver.start([secret], port);
      rig.clock.advance(300_000);
      const stats = await receivedWhen(receiver, '3 events', (s) => s.unique.length === 3);
      assert.deepEqual(numbers(stats.deliveries), [1, 2, 3]);
      assert.equal(stats.duplicates, 0);
      // An entry delivered at its first take is acked just after its outcome is stored:
      // pending counts it until then (docs/backends.md).
      await rig.statusWhen('delivered and acked', (s) => s.delivered === 3 && s.pending === 0);
    });

    it('times out a backend that hangs and sends again with the same webhook-id', async () => {
      receiver = await Receiver.start([secret]);
      await receiver.script([{ status: 200, hang: true }]);
      rig = await WebhookRig.start(kind, todoEntry(`${receiver.url}/hooks`, [secret]), {
        timeoutMs: 1_000,
      });
      await rig.publish(1);
      const failed = await rig.statusWhen('timed out', attempts(1));
      assert.match(failed.last!.error ?? '', /no answer within 1000 ms/);
      rig.clock.advance(5_000);
      const stats = await receivedWhen(receiver, 'delivered', (s) => s.unique.length === 1);
      assert.equal(stats.deliveries.length, 2);
      assert.equal(stats.deliveries[0]!.id, stats.deliveries[1]!.id);
      assert.match(
        await metric(rig.server, 'microcanvas_webhook_attempts_total'),
        /outcome="timeout"[^\n]* 1/,
      );
    });

    it('disables an endpoint that answers 410: no more attempts until an admin enables it', async () => {
      receiver = await Receiver.start([secret]);
      await receiver.script([{ status: 410 }]);
      rig = await WebhookRig.start(kind, todoEntry(`${receiver.url}/hooks`, [secret]));
      await rig.publish(1);
      await rig.publish(2);
      const gone = await rig.statusWhen('disabled', (s) => s.enabled === false);
      assert.match(gone.disabledReason ?? '', /410/);
      assert.equal(gone.last?.result, 'gone');
      assert.equal(gone.pending, 2);
      rig.clock.advance(10 * 3_600_000);
      await quiet();
      assert.equal((await receiver.stats()).deliveries.length, 1, 'no attempt while disabled');
      const enabled = await rig.admin('/enable', 'POST');
      assert.equal(enabled.status, 200);
      const stats = await receivedWhen(receiver, 'both', (s) => s.unique.length === 2);
      assert.deepEqual(numbers(stats.deliveries), [1, 1, 2]);
    });

    it('honours Retry-After on 429', async () => {
      receiver = await Receiver.start([secret]);
      await receiver.script([{ status: 429, retryAfter: '120' }]);
      rig = await WebhookRig.start(kind, todoEntry(`${receiver.url}/hooks`, [secret]));
      await rig.publish(1);
      const limited = await rig.statusWhen('429', attempts(1));
      assert.equal(limited.last?.status, 429);
      // 120 s, not the schedule's 5 s.
      assert.equal(Date.parse(limited.current!.nextAt) - limited.last!.at, 120_000);
      rig.clock.advance(119_000);
      await quiet();
      assert.equal((await receiver.stats()).deliveries.length, 1);
      rig.clock.advance(1_000);
      await receivedWhen(receiver, 'delivered', (s) => s.unique.length === 1);
    });

    it('dead-letters an event after the last attempt, lets later ones through, and replays it', async () => {
      receiver = await Receiver.start([secret]);
      const fail = { status: 500 };
      await receiver.script([fail, fail, fail, fail]);
      rig = await WebhookRig.start(kind, todoEntry(`${receiver.url}/hooks`, [secret]));
      await rig.publish(1);
      await rig.publish(2);
      for (const [n, wait] of [
        [1, 5_000],
        [2, 300_000],
        [3, 1_800_000],
      ] as const) {
        await rig.statusWhen(`attempt ${n}`, attempts(n));
        rig.clock.advance(wait);
      }
      const stats = await receivedWhen(receiver, 'event 2', (s) => s.unique.length === 1);
      assert.deepEqual(numbers(stats.deliveries), [1, 1, 1, 1, 2]);
      const status = await rig.statusWhen('dead', (s) => s.dead === 1 && s.delivered === 1);
      assert.equal(status.deadLetters, 1);
      assert.match(await metric(rig.server, 'microcanvas_webhook_dead_letters'), / 1$/m);
      const letters = await rig.admin('/dead-letters');
      const list = letters.body.deadLetters as Array<{
        id: string;
        attempts: number;
        last: { status?: number; result: string };
      }>;
      assert.equal(list.length, 1);
      assert.equal(list[0]!.attempts, 4);
      assert.equal(list[0]!.last.status, 500);
      assert.equal(list[0]!.last.result, 'dead');
      const replay = await rig.admin(`/dead-letters/${list[0]!.id}/replay`, 'POST');
      assert.equal(replay.status, 202);
      const after = await receivedWhen(receiver, 'replayed', (s) => s.unique.length === 2);
      assert.deepEqual(numbers(after.deliveries).slice(-2), [2, 1]);
      assert.equal(after.deliveries.at(-1)!.id, after.deliveries[0]!.id, 'same webhook-id');
      assert.equal((await rig.admin()).body.deadLetters, 0);
      const missing = await rig.admin(`/dead-letters/${list[0]!.id}/replay`, 'POST');
      assert.equal(missing.status, 404);
    });

    it('replays every dead letter at once', async () => {
      receiver = await Receiver.start([secret]);
      rig = await WebhookRig.start(kind, todoEntry(`${receiver.url}/hooks`, [secret]), {
        schedule: [0],
      });
      await receiver.script([{ status: 500 }, { status: 500 }]);
      await rig.publish(1);
      await rig.publish(2);
      await rig.statusWhen('2 dead', (s) => s.dead === 2);
      const replay = await rig.admin('/dead-letters/replay', 'POST');
      assert.deepEqual(replay.body, { replayed: 2 });
      const stats = await receivedWhen(receiver, 'both', (s) => s.unique.length === 2);
      assert.deepEqual(numbers(stats.deliveries), [1, 2, 1, 2]);
    });

    it('follows no redirect, and reads a huge answer only in part', async () => {
      receiver = await Receiver.start([secret]);
      await receiver.script([
        { status: 307, location: `${receiver.url}/_trap` },
        { status: 200, bodyBytes: 64 * 1024 * 1024 },
      ]);
      rig = await WebhookRig.start(kind, todoEntry(`${receiver.url}/hooks`, [secret]));
      await rig.publish(1);
      const redirected = await rig.statusWhen('307', attempts(1));
      assert.equal(redirected.last?.status, 307);
      rig.clock.advance(5_000);
      const done = await rig.statusWhen('delivered', (s) => s.delivered === 1);
      assert.equal(done.last?.status, 200);
      const stats = await receiver.stats();
      assert.equal(stats.trapped, 0, 'the redirect was not followed');
      assert.equal(stats.deliveries.length, 2);
    });

    it('delays no other webhook while one backend fails', async () => {
      receiver = await Receiver.start([secret]);
      const healthy = await Receiver.start([secret]);
      try {
        await receiver.script([], { status: 500 });
        rig = await WebhookRig.start(
          kind,
          todoEntry(`${receiver.url}/hooks`, [secret], {
            hooks: [{ name: 'other', url: `${healthy.url}/hooks`, secrets: [secret] }],
          }),
        );
        for (let n = 1; n <= 3; n++) await rig.publish(n);
        const stats = await receivedWhen(healthy, 'all 3', (s) => s.unique.length === 3);
        assert.deepEqual(numbers(stats.deliveries), [1, 2, 3]);
        const failing = await rig.statusWhen('failing', attempts(1));
        assert.equal(failing.pending, 3);
      } finally {
        await healthy.stop();
      }
    });

    it('counts the events the outbox retention dropped while a backend was down', async () => {
      const port = await freePort();
      rig = await WebhookRig.start(
        kind,
        todoEntry(`http://127.0.0.1:${port}/hooks`, [secret]),
        {},
        { retention: { maxLen: 3 } },
      );
      await rig.publish(1);
      await rig.statusWhen('attempt 1', attempts(1));
      // Event 1 waits in the webhook's state; 2-7 in its stream, which keeps about 3.
      for (let n = 2; n <= 7; n++) await rig.publish(n);
      receiver = await Receiver.start([secret], port);
      rig.clock.advance(5_000);
      const done = await rig.statusWhen('drained', (s) => s.pending === 0 && s.delivered! > 1);
      const stats = await receiver.stats();
      const got = numbers(stats.deliveries);
      assert.equal(got[0], 1);
      assert.equal(got.at(-1), 7);
      const expired = await metric(rig.server, 'microcanvas_webhook_expired_total');
      const lost = Number(/ (\d+)$/m.exec(expired)?.[1]);
      assert.ok(lost > 0, 'some were dropped');
      assert.equal(done.delivered! + lost, 7, 'every event delivered or counted');
    });

    it('never posts to a loopback address that is not allow-listed', async () => {
      receiver = await Receiver.start([secret]);
      rig = await WebhookRig.start(kind, todoEntry(`${receiver.url}/hooks`, [secret]), {
        allow: [],
      });
      await rig.publish(1);
      const refused = await rig.statusWhen('refused', attempts(1));
      assert.match(refused.last!.error ?? '', /not allowed/);
      assert.equal((await receiver.stats()).deliveries.length, 0);
      assert.match(
        await metric(rig.server, 'microcanvas_webhook_attempts_total'),
        /outcome="refused"/,
      );
    });
  });
}
