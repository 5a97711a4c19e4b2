import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { pino } from 'pino';

import { provisionDemo } from '../../demo/provision.ts';
import type { EventFrame } from '../../sdk/protocol/server-wire.ts';
import { createServer, type McServer } from '../../server/server.ts';
import { ENGINES, EngineFixture, eventually } from './helpers/engines.ts';
import { freePort, kill, spawnTs, type Child } from './helpers/processes.ts';
import { ADMIN } from './helpers/registry.ts';
import { signToken } from '../../server/transport/index.ts';
import { ORIGIN, SECRET, TestClient } from './helpers/ws-client.ts';

/**
 * The demo's sample backends (docs/backends.md, "Sample backends") as `npm start` runs them:
 * separate processes, registered through the registry's HTTP API by the demo's own
 * provisioning, on every engine. A host-page connection publishes what the widgets would;
 * the todo backend must get the calendar's webhook (verified with `standardwebhooks`), and
 * the chat backend must pull the completed todo from its queue and publish a chat line that
 * the space's followers receive, stamped as the backend's.
 */
for (const kind of ENGINES) {
  describe(`sample backends (${kind})`, () => {
    const fixture = new EngineFixture(kind);
    let server: McServer;
    const children: Child[] = [];
    let todo: string;
    let chat: string;

    before(async () => {
      server = await createServer({
        port: 0,
        engine: await fixture.open(),
        logger: pino({ level: process.env.MC_TEST_LOG ?? 'silent' }),
        hostOrigins: [ORIGIN],
        authSecret: SECRET,
        adminToken: ADMIN,
        probeIntervalMs: 200,
        webhooks: { allow: ['127.0.0.0/8'] },
        gatewayAllow: ['127.0.0.0/8'],
      });
      await server.spaces.create('demo', { members: ['ann'] });
      const [todoPort, chatPort] = [await freePort(), await freePort()];
      todo = `http://127.0.0.1:${todoPort}`;
      chat = `http://127.0.0.1:${chatPort}`;
      const secrets = await provisionDemo(server.url, ADMIN, 'http://127.0.0.1:5173', {
        todo,
        chat,
      });
      const common = { MC_SERVER_URL: server.url, MC_HOST_ORIGIN: ORIGIN };
      children.push(
        spawnTs('sample-apps/todo/backend/server.ts', [], {
          ...common,
          TODO_PORT: String(todoPort),
          TODO_CREDENTIAL: secrets.todoCredential,
          TODO_WEBHOOK_SECRET: secrets.todoWebhookSecret,
          TODO_DATA: `/tmp/mc-todo-${fixture.namespace}.json`,
        }),
        spawnTs('sample-apps/chat/backend/server.ts', [], {
          ...common,
          CHAT_PORT: String(chatPort),
          CHAT_CREDENTIAL: secrets.chatCredential,
        }),
      );
      await Promise.all(children.map((c) => c.line((l) => l.includes('listening'))));
    });

    after(async () => {
      await Promise.all(children.map((c) => kill(c.child)));
      await server?.close();
      await fixture.cleanup();
    });

    it('registers the apps, and their heartbeats make the backends healthy', async () => {
      const health = await eventually('both backends healthy', async () => {
        const { apps } = (await (await fetch(`${server.url}/registry/apps`)).json()) as {
          apps: { manifest: { id: string }; health: string }[];
        };
        const health = Object.fromEntries(apps.map((a) => [a.manifest.id, a.health]));
        return health.todo === 'healthy' && health.chat === 'healthy' ? health : undefined;
      });
      assert.deepEqual(health, { calendar: 'unknown', chat: 'healthy', todo: 'healthy' });
    });

    it("keeps a user's todos in the todo backend, reached only through the gateway with the widget's token", async () => {
      // What the host does for the todo widget: a token for app todo, user ann, space demo.
      const minted = await fetch(`${server.url}/tokens/identity`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${await signToken(SECRET, 'ann')}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ app: 'todo', space: 'demo', slot: 'todo-1' }),
      });
      assert.equal(minted.status, 200);
      const { token } = (await minted.json()) as { token: string };
      const api = (path: string, init: RequestInit = {}) =>
        fetch(`${server.url}/api/todo${path}`, {
          ...init,
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        });
      type Items = { items: { id: string; title: string; done: boolean }[] };
      const first = (await (await api('/items')).json()) as Items;
      const milk = first.items.find((i) => i.title === 'Buy milk')!;
      assert.equal(milk.done, false);
      assert.equal(
        (await api(`/items/${milk.id}`, { method: 'PATCH', body: '{"done":true}' })).status,
        200,
      );
      const again = (await (await api('/items')).json()) as Items;
      assert.equal(again.items.find((i) => i.id === milk.id)?.done, true);
      assert.equal(again.items.length, first.items.length);
      // Around the gateway, the backend refuses: it trusts only the gateway's assertion.
      const direct = await fetch(`${todo}/items`, { headers: { 'x-user-id': 'ann' } });
      assert.equal(direct.status, 401);
    });

    it('delivers the calendar to the todo backend by webhook, and completed todos through the chat queue back to the space', async () => {
      const ann = await TestClient.open(server, { user: 'ann' });
      try {
        assert.equal((await ann.request({ t: 'follow', space: 'demo' })).t, 'resumed');
        const publish = async (app: string, topic: string, data: unknown, n: number) => {
          const reply = await ann.request({
            t: 'publish',
            space: 'demo',
            msgId: `sample-${fixture.namespace}-${n}`,
            app,
            topic,
            data: JSON.stringify(data),
          });
          assert.equal(reply.t, 'published', JSON.stringify(reply));
        };
        await publish('calendar', 'calendar.date.selected', { date: '2026-12-24' }, 1);
        await publish('todo', 'todo.item.completed', { id: 't1', title: 'Buy milk' }, 2);

        const line = (await ann.next(
          (f) => f.t === 'event' && f.topic === 'chat.message.sent',
          20_000,
        )) as EventFrame;
        assert.equal(line.app, 'chat');
        assert.deepEqual(line.by, { backend: true });
        assert.match(JSON.parse(line.data).text as string, /Buy milk is done/);

        const stats = await eventually('the webhook at the todo backend', async () => {
          const stats = (await (await fetch(`${todo}/stats`)).json()) as Record<string, number>;
          return stats.webhooks! > 0 ? stats : undefined;
        });
        assert.equal(stats.webhooks, 1);
        assert.equal(stats.refused, 0);
        const chatStats = (await (await fetch(`${chat}/stats`)).json()) as Record<string, number>;
        assert.equal(chatStats.published, 1);
        assert.equal(chatStats.deadLetters, 0);
      } finally {
        ann.close();
      }
    });
  });
}
