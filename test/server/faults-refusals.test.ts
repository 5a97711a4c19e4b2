import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { ServerFrame } from '../../sdk/protocol/index.ts';
import { signToken } from '../../server/transport/index.ts';
import { eventually } from './helpers/engines.ts';
import { EventClient, tally } from './helpers/event-client.ts';
import { SECRET, startServer, TestClient, upgradeStatus } from './helpers/ws-client.ts';

const SPACE = 'faults';
const isError = (f: ServerFrame) => f.t === 'error';

/**
 * Hostile clients beside honest ones (issue 11, item 10): while 10 clients publish numbered
 * events and follow them, malformed, oversized and flooding clients, an expired token, a
 * user who is not a member and a wrong Origin each get their typed refusal, and the honest
 * clients' counts show nothing lost, doubled or reordered.
 */
describe('fault: hostile clients beside honest ones', { timeout: 20_000 }, () => {
  it('each gets a typed refusal, and nothing is lost for the others', async (t) => {
    const server = await startServer();
    const honest: EventClient[] = [];
    const members = Array.from({ length: 10 }, (_, i) => `u${i}`);
    try {
      await server.spaces.create(SPACE, { members: [...members, 'eve'] });
      for (const user of members)
        honest.push(await EventClient.start(user, SPACE, () => server.url));
      // The honest clients publish until the hostile ones are done.
      let hostileDone = false;
      let sent = 0;
      const publishing = Promise.all(
        honest.map(async (client) => {
          for (let n = 1; !hostileDone; n++) {
            sent++;
            await client.publish(n);
            await new Promise((resolve) => setTimeout(resolve, 10));
          }
        }),
      );

      const refusals: string[] = [];
      const sentBefore = sent;
      // Malformed: not JSON; a publish with a bad msgId (answered to its id). Stays open.
      const malformed = await TestClient.open(server, { user: 'eve' });
      malformed.ws.send('{"t":"publish"');
      malformed.send({ t: 'publish', id: 7, space: SPACE, msgId: 'x', app: 'todo', data: '1' });
      const notJson = await malformed.next(isError);
      const badField = await malformed.next(isError);
      assert.deepEqual(
        [notJson, badField].map((f) => f.t === 'error' && [f.id, f.code]),
        [
          [undefined, 'MALFORMED_MESSAGE'],
          [7, 'MALFORMED_MESSAGE'],
        ],
      );
      assert.equal((await malformed.request({ t: 'ping' })).t, 'pong', 'still open');
      refusals.push('malformed: MALFORMED_MESSAGE, open');

      // Oversized: over 64 KiB is refused unread; over 4x that closes the socket (1009).
      const oversized = await TestClient.open(server, { user: 'eve' });
      oversized.ws.send(JSON.stringify({ t: 'ping', id: 1, pad: 'x'.repeat(70_000) }));
      const tooLarge = await oversized.next(isError);
      assert.equal(tooLarge.t === 'error' && tooLarge.code, 'PAYLOAD_TOO_LARGE');
      assert.equal((await oversized.request({ t: 'ping' })).t, 'pong', 'still open');
      oversized.ws.send('x'.repeat(300_000));
      assert.equal(await oversized.closed, 1009);
      refusals.push('oversized: PAYLOAD_TOO_LARGE, open; 4x: closed 1009');

      // Flooding: 400 frames at once, over the burst of 100: one RATE_LIMITED, then a gap.
      const flood = await TestClient.open(server, { user: 'eve' });
      for (let i = 0; i < 400; i++) flood.send({ t: 'ping', id: 1_000 + i });
      const limited = await flood.next((f) => f.t === 'error' && f.id === undefined);
      assert.equal(limited.t === 'error' && limited.code, 'RATE_LIMITED');
      assert.deepEqual(await flood.next((f) => f.t === 'gap'), { t: 'gap', reason: 'flood' });
      assert.equal(await flood.closed, 1008);
      refusals.push('flood: RATE_LIMITED, gap flood, closed 1008');

      // Expired token and wrong Origin: refused at the upgrade, before any frame.
      const expired = await signToken(SECRET, 'u0', -10);
      assert.equal(await upgradeStatus(server, { token: expired }), 401);
      assert.equal(await upgradeStatus(server, { user: 'u0', origin: 'http://evil.test' }), 403);
      refusals.push('expired token: 401; wrong Origin: 403');

      // A user who is not a member: NOT_FOUND, as for a space that does not exist (SRV-2).
      const stranger = await TestClient.open(server, { user: 'mallory' });
      const follow = await stranger.request({ t: 'follow', space: SPACE });
      const publish = await stranger.request({
        t: 'publish',
        space: SPACE,
        msgId: 'mallory-0001',
        app: 'todo',
        topic: 'todo.item.completed',
        data: '{"n":0}',
      });
      const missing = await stranger.request({ t: 'follow', space: 'no-such-space' });
      assert.deepEqual(
        [follow, publish, missing].map((f) => f.t === 'error' && f.code),
        ['NOT_FOUND', 'NOT_FOUND', 'NOT_FOUND'],
      );
      assert.equal(
        follow.t === 'error' && follow.message,
        missing.t === 'error' && missing.message,
      );
      refusals.push('not a member: NOT_FOUND (as a missing space)');

      const sentDuring = sent - sentBefore;
      hostileDone = true;
      await publishing;
      const expected = honest
        .flatMap((c) => [...c.acked].map(([n, at]) => ({ at, msgId: `${c.device}-n${n}` })))
        .sort((p, q) => p.at.offset - q.at.offset)
        .map((s) => s.msgId);
      await eventually('the honest clients to receive everything', async () =>
        honest.every((c) => c.events.length >= expected.length) ? true : undefined,
      ).catch(() => {});
      const counts = honest.map((c) => tally(c, expected));
      const sum = (k: 'received' | 'gaps' | 'duplicated') => counts.reduce((s, c) => s + c[k], 0);
      t.diagnostic(`refusals: ${refusals.join('; ')}`);
      t.diagnostic(
        `${honest.length} honest clients: events sent ${expected.length} (each to all; ` +
          `${sentDuring} while the hostile ones were at work), ` +
          `received ${sum('received')} of ${expected.length * honest.length}, gaps ${sum('gaps')}, ` +
          `duplicated ${sum('duplicated')}, out of order ${counts.filter((c) => !c.inOrder).length}, ` +
          `honest clients cut ${honest.filter((c) => c.connectedTo.length > 1).length}`,
      );
      assert.equal(expected.length, sent);
      assert.ok(sentDuring >= honest.length, 'the honest clients published meanwhile');
      assert.ok(honest.every((c) => c.connectedTo.length === 1 && c.errors.length === 0));
      assert.deepEqual(
        counts.filter((c) => c.gaps > 0 || c.duplicated > 0 || !c.inOrder),
        [],
      );
      for (const client of [malformed, stranger]) client.close();
    } finally {
      for (const client of honest) client.stop();
      await server.close();
    }
  });
});
