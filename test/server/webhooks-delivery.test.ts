import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';

import { webhookStream } from '../../server/delivery/types.ts';
import { signWebhook, webhookHeaders } from '../../server/webhooks/sign.ts';
import { ENGINES, readAll } from './helpers/engines.ts';
import { metric } from './helpers/ws-client.ts';
import {
  newSecret,
  numbers,
  Receiver,
  receivedWhen,
  todoEntry,
  WebhookRig,
} from './helpers/webhooks.ts';

/**
 * Webhooks end to end with real processes and real HTTP: a host-like WebSocket client
 * publishes canvas events, the server routes them into the todo backend's webhook stream,
 * and its dispatcher delivers them to a receiver process that verifies every delivery with
 * the `standardwebhooks` package.
 */
for (const kind of ENGINES) {
  describe(`webhooks on ${kind}`, { timeout: 120_000 }, () => {
    let rig: WebhookRig;
    let receiver: Receiver;
    const secret = newSecret();

    before(async () => {
      receiver = await Receiver.start([secret]);
    });
    after(async () => receiver.stop());
    beforeEach(async () => {
      await receiver.script([]);
      rig = await WebhookRig.start(kind, todoEntry(`${receiver.url}/hooks`, [secret]));
    });
    afterEach(async () => rig.close());

    it('delivers calendar.date.selected to the todo backend, signed, in order, with the documented body', async () => {
      const before = (await receiver.stats()).unique.length;
      for (let n = 1; n <= 5; n++) await rig.publish(n);
      await rig.publish(99, 'calendar.other.thing'); // no subscription: not delivered
      const stats = await receivedWhen(receiver, '5', (s) => s.unique.length >= before + 5);
      const got = stats.deliveries.slice(-5);
      assert.deepEqual(numbers(got), [1, 2, 3, 4, 5]);
      const first = got[0]!.body;
      assert.equal(first.type, 'calendar.date.selected');
      assert.equal(first.data.space, 'team');
      assert.equal(first.data.app, 'calendar');
      assert.equal(first.data.by.user, 'ann');
      assert.ok(!Number.isNaN(Date.parse(first.timestamp)));
      assert.equal(stats.refused.length, 0);
      // Acked just after the outcome is stored: pending counts the last until then.
      const status = await rig.statusWhen(
        'delivered 5',
        (s) => s.delivered === 5 && s.pending === 0,
      );
      assert.equal(status.enabled, true);
      assert.equal(status.last?.result, 'delivered');
      const routed = await metric(rig.server, 'microcanvas_delivery_routed_total');
      assert.match(routed, /kind="webhook"[^\n]* 5$/m);
      assert.match(routed, /kind="queue"[^\n]* 5$/m);
      const delivered = await metric(rig.server, 'microcanvas_webhook_deliveries_total');
      assert.match(delivered, /result="delivered"[^\n]* 5$/m);
    });

    it('routes a resend once: the streams dedup by event id', async () => {
      const frame = {
        t: 'publish',
        space: 'team',
        msgId: `resend-${process.pid}-${Date.now()}`,
        app: 'calendar',
        topic: 'calendar.date.selected',
        data: JSON.stringify({ n: 7 }),
      };
      const a = await rig.client.request(frame);
      const b = await rig.client.request(frame);
      assert.equal(a.t, 'published');
      assert.deepEqual(b, { ...a, id: (b as { id: number }).id });
      const entries = await readAll(rig.server.engine, webhookStream('todo', 'main'));
      assert.equal(entries.length, 1);
      const queued = await readAll(rig.server.engine, 'q.todo.dates');
      assert.equal(queued.length, 1);
      assert.equal(JSON.parse(queued[0]!.payload).topic, 'calendar.date.selected');
    });

    it('refuses the admin API without the admin token, and knows only registered webhooks', async () => {
      const res = await fetch(`${rig.server.url}/admin/webhooks/todo/main`);
      assert.equal(res.status, 401);
      const wrong = await fetch(`${rig.server.url}/admin/webhooks/todo/main`, {
        headers: { authorization: 'Bearer nope' },
      });
      assert.equal(wrong.status, 401);
      await res.body?.cancel();
      await wrong.body?.cancel();
      assert.equal((await rig.admin('', 'GET', 'todo/nope')).status, 404);
      assert.equal((await rig.admin('', 'GET', 'nope/main')).status, 404);
    });
  });
}

describe('webhook secret rotation and a receiver under attack', { timeout: 60_000 }, () => {
  const [old, next] = [newSecret(), newSecret()];
  let rig: WebhookRig;
  let withOld: Receiver;
  let withNew: Receiver;

  before(async () => {
    withOld = await Receiver.start([old]);
    withNew = await Receiver.start([next]);
    rig = await WebhookRig.start(
      'embedded',
      todoEntry(`${withOld.url}/hooks`, [old, next], {
        hooks: [{ name: 'rotated', url: `${withNew.url}/hooks`, secrets: [old, next] }],
      }),
    );
  });
  after(async () => {
    await rig.close();
    await withOld.stop();
    await withNew.stop();
  });

  it('signs with every secret: a receiver holding either the old or the new one verifies', async () => {
    for (let n = 1; n <= 3; n++) await rig.publish(n);
    for (const receiver of [withOld, withNew]) {
      const stats = await receivedWhen(receiver, '3', (s) => s.unique.length === 3);
      assert.deepEqual(numbers(stats.deliveries), [1, 2, 3]);
      assert.equal(stats.refused.length, 0);
    }
  });

  it('is refused by the receiver when forged or stale, and deduplicated when replayed', async () => {
    const base = (await withOld.stats()).unique.length;
    const body = JSON.stringify({ type: 'calendar.date.selected', data: { n: 1 } });
    const post = (headers: Record<string, string>, text = body) =>
      fetch(`${withOld.url}/hooks`, { method: 'POST', headers, body: text });
    const now = Math.floor(Date.now() / 1000);
    const good = webhookHeaders([old], 'msg_forge_1', now, body);
    assert.equal((await post(good)).status, 200);
    // The same delivery again (a replay within the tolerance): verified, and dropped by id.
    assert.equal((await post(good)).status, 200);
    // Forged: another body under the signature, or a signature with a secret not held.
    assert.equal((await post(good, body.replace('1', '2'))).status, 400);
    assert.equal((await post(webhookHeaders([newSecret()], 'msg_forge_2', now, body))).status, 400);
    // Replayed later: a timestamp 10 minutes old, correctly signed, is past the tolerance.
    const stale = now - 600;
    const old10 = {
      ...good,
      'webhook-timestamp': String(stale),
      'webhook-signature': signWebhook([old], 'msg_forge_1', stale, body),
    };
    assert.equal((await post(old10)).status, 400);
    const stats = await withOld.stats();
    assert.equal(stats.unique.length, base + 1);
    assert.equal(stats.duplicates, 1);
    assert.equal(stats.refused.length, 3);
    assert.ok(stats.refused.some((reason) => /too old/.test(reason)));
  });
});
