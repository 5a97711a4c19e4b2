import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { webhookStream } from '../../server/delivery/types.ts';
import { McError } from '../../sdk/protocol/errors.ts';
import { ENGINES, EngineFixture, readAll } from './helpers/engines.ts';
import {
  ADMIN_TOKEN,
  newSecret,
  putApp,
  Receiver,
  receivedWhen,
  todoEntry,
} from './helpers/webhooks.ts';
import { startServer, TestClient } from './helpers/ws-client.ts';

/**
 * A failure to route an event to the backends' streams (here the engine refusing the
 * webhook stream's append, injected) fails the publish: the client is not told `published`
 * and sends it again; the resend finds the event stored in the space's stream, routes it
 * then, and the webhook gets it exactly once.
 */
for (const kind of ENGINES) {
  describe(`routing failure on ${kind}`, { timeout: 60_000 }, () => {
    const secret = newSecret();
    let receiver: Receiver;
    before(async () => {
      receiver = await Receiver.start([secret]);
    });
    after(async () => receiver.stop());

    it('fails the publish, and the resend is routed and delivered once', async () => {
      const fixture = new EngineFixture(kind);
      const engine = await fixture.open();
      let failures = 1;
      const append = engine.log.append.bind(engine.log);
      engine.log.append = (stream, payload, id) =>
        stream.startsWith('wh.') && failures-- > 0
          ? Promise.reject(new McError('STORAGE_UNAVAILABLE', 'injected: the append failed'))
          : append(stream, payload, id);
      const server = await startServer({
        engine,
        adminToken: ADMIN_TOKEN,
        webhooks: { allow: ['127.0.0.1'], pollMs: 25, scanMs: 100 },
      });
      try {
        await putApp(server.url, todoEntry(`${receiver.url}/hooks`, [secret]));
        await server.spaces.ensure('team', { members: ['ann'] });
        const client = await TestClient.open(server, { user: 'ann' });
        const frame = {
          t: 'publish',
          space: 'team',
          msgId: `routing-${Date.now()}`,
          app: 'calendar',
          topic: 'calendar.date.selected',
          data: JSON.stringify({ n: 1 }),
        };
        const refused = await client.request(frame);
        assert.equal(refused.t, 'error');
        assert.equal((refused as { code: string }).code, 'STORAGE_UNAVAILABLE');
        assert.equal((await readAll(server.engine, webhookStream('todo', 'main'))).length, 0);
        const again = await client.request(frame);
        assert.equal(again.t, 'published');
        const stats = await receivedWhen(receiver, 'delivered', (s) => s.unique.length === 1);
        assert.equal(stats.deliveries.length, 1);
        assert.equal((await readAll(server.engine, webhookStream('todo', 'main'))).length, 1);
        client.ws.close();
      } finally {
        await server.close();
        await fixture.cleanup();
      }
    });
  });
}
