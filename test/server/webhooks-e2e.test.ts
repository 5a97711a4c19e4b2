import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { ENGINES, eventually } from './helpers/engines.ts';
import { freePort, kill, spawnTs } from './helpers/processes.ts';
import { newSecret, todoEntry, WebhookRig } from './helpers/webhooks.ts';

/**
 * End to end: a host-like WebSocket client publishes `calendar.date.selected` to a space, and
 * the demo's todo backend (sample-apps/todo/backend, its own process, verifying with the
 * `standardwebhooks` package) receives it by webhook.
 */
for (const kind of ENGINES) {
  describe(
    `calendar.date.selected reaches the todo backend on ${kind}`,
    { timeout: 60_000 },
    () => {
      it('is delivered once, verified, with the topic', async () => {
        const secret = newSecret();
        const port = await freePort();
        const dir = mkdtempSync(join(tmpdir(), 'mc-todo-'));
        const rig = await WebhookRig.start(
          kind,
          todoEntry(`http://127.0.0.1:${port}/webhooks/calendar`, [secret]),
        );
        const backend = spawnTs('sample-apps/todo/backend/server.ts', [], {
          MC_SERVER_URL: rig.server.url,
          TODO_PORT: String(port),
          TODO_WEBHOOK_SECRET: secret,
          TODO_DATA: join(dir, 'todo.json'),
        });
        try {
          await backend.line((l) => l.includes('todo backend listening'));
          const stats = async () =>
            (await (await fetch(`http://127.0.0.1:${port}/stats`)).json()) as {
              webhooks: number;
              refused: number;
              lastTopic: string;
            };
          const reply = await rig.client.request({
            t: 'publish',
            space: 'team',
            msgId: `pick-${Date.now()}`,
            app: 'calendar',
            topic: 'calendar.date.selected',
            data: JSON.stringify({ date: '2026-12-03' }),
          });
          assert.equal(reply.t, 'published', JSON.stringify(reply));
          const got = await eventually('the webhook', async () => {
            const s = await stats();
            return s.webhooks >= 1 ? s : undefined;
          });
          assert.equal(got.webhooks, 1);
          assert.equal(got.refused, 0);
          assert.equal(got.lastTopic, 'calendar.date.selected');
          const status = await rig.statusWhen('recorded', (s) => s.delivered === 1);
          assert.equal(status.last?.status, 204);
        } finally {
          await kill(backend.child);
          await rig.close();
          rmSync(dir, { recursive: true, force: true });
        }
      });
    },
  );
}
