import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { AppEntryInput } from '../../sdk/protocol/registry.ts';
import type { EngineConfig } from '../../server/engine/index.ts';
import type { WebhookOptions } from '../../server/webhooks/dispatcher.ts';
import { ENGINES, EngineFixture, eventually } from './helpers/engines.ts';
import { EventClient } from './helpers/event-client.ts';
import { kill, spawnTs, type Child } from './helpers/processes.ts';
import {
  ADMIN_TOKEN,
  newSecret,
  numbers,
  putApp,
  Receiver,
  receivedWhen,
  type AdminAnswer,
} from './helpers/webhooks.ts';

/**
 * The dispatcher killed mid-stream (kill -9 of the server process delivering the endpoint)
 * and restarted: every acknowledged event reaches the receiver, in order, and the only
 * deliveries sent twice are attempts whose answer was not recorded before the kill (at most
 * one: an endpoint has one attempt in flight), which the receiver drops by webhook-id. On
 * Redis and NATS a second process runs from the start: it takes the endpoint over once the
 * killed one's lease runs out, and while both live each delivery is made by one of them.
 */
const SPACE = 'hooks';
const EVENTS = 120;
const WEBHOOKS: WebhookOptions = {
  schedule: [0, 200, 500, 1_000, 2_000, 5_000],
  allow: ['127.0.0.1'],
  timeoutMs: 2_000,
  pollMs: 20,
  scanMs: 100,
  leaseMs: 1_500,
};

/** An app whose backend takes the todo app's completed items by webhook. */
const auditEntry = (url: string, secret: string): AppEntryInput => ({
  manifest: {
    id: 'audit',
    name: 'Audit',
    url: 'https://audit.example/widget.html',
    subscribes: ['todo.item.completed'],
  },
  version: '1.0.0',
  backend: {
    url: 'https://audit.example',
    webhooks: [{ name: 'main', url, topics: ['todo.item.completed'], secrets: [secret] }],
  },
});

async function serverProcess(
  engine: EngineConfig,
): Promise<{ child: Child; url: string; pid: string }> {
  const child = spawnTs('test/server/fixtures/webhook-server.ts', [
    JSON.stringify({ engine, space: SPACE, members: ['ann'], webhooks: WEBHOOKS }),
  ]);
  const line = await child.line((l) => l.startsWith('listening '));
  const [, url, pid] = line.split(' ');
  return { child, url: url!, pid: pid! };
}

async function status(url: string): Promise<AdminAnswer & { heldBy?: string }> {
  const res = await fetch(`${url}/admin/webhooks/audit/main`, {
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
  });
  return (await res.json()) as AdminAnswer & { heldBy?: string };
}

describe('webhook dispatcher killed mid-stream', { timeout: 180_000 }, () => {
  for (const kind of ENGINES) {
    it(`loses nothing and resends only unrecorded attempts on ${kind}`, async () => {
      const fixture = new EngineFixture(kind);
      const engine: EngineConfig = { engine: kind, url: fixture.url, namespace: fixture.namespace };
      const secret = newSecret();
      const receiver = await Receiver.start([secret]);
      // A backend that takes 60 ms per delivery, slower than the events come: the stream is
      // still being delivered when the kill comes.
      await receiver.script([], { status: 200, delayMs: 60 });
      const servers = [await serverProcess(engine)];
      if (kind !== 'embedded') servers.push(await serverProcess(engine));
      const client = await EventClient.start('ann', SPACE, () => servers[0]!.url);
      try {
        await putApp(servers[0]!.url, auditEntry(`${receiver.url}/hooks`, secret));
        for (let n = 1; n <= EVENTS; n++) {
          await client.publish(n);
          // Within the connection's rate (50 frames/s): frames beyond it are dropped unread.
          await new Promise((resolve) => setTimeout(resolve, 25));
        }
        assert.equal(client.acked.size, EVENTS);
        // Every event is acknowledged: the publisher leaves (it would reconnect to the victim).
        client.stop();

        await receivedWhen(receiver, 'half', (s) => s.unique.length >= EVENTS / 2);
        const holder = (await status(servers[0]!.url)).heldBy ?? '';
        const victim = servers.find((s) => holder.includes(`/${s.pid}/`));
        assert.ok(victim, `the endpoint's holder (${holder}) is one of the servers`);
        await kill(victim.child.child);
        const atKill = (await receiver.stats()).unique.length;
        // While every process lived, each delivery was made by one of them, once.
        assert.equal((await receiver.stats()).duplicates, 0);
        servers.splice(servers.indexOf(victim), 1);
        // Restarted (the embedded engine's only process), or joining the survivor.
        servers.push(await serverProcess(engine));

        const stats = await receivedWhen(receiver, 'every event', (s) => s.unique.length >= EVENTS);
        const firstArrivals: number[] = [];
        const seen = new Set<string>();
        for (const delivery of stats.deliveries) {
          if (seen.has(delivery.id)) continue;
          seen.add(delivery.id);
          firstArrivals.push(numbers([delivery])[0]!);
        }
        const lost = EVENTS - new Set(firstArrivals).size;
        const duplicated = stats.deliveries.length - stats.unique.length;
        console.log(
          `[${kind}] sent ${EVENTS}, received ${stats.unique.length} (${atKill} before the kill), ` +
            `lost ${lost}, duplicated ${duplicated} (receiver dropped ${stats.duplicates} by webhook-id), ` +
            `refused ${stats.refused.length}`,
        );
        assert.equal(lost, 0);
        assert.deepEqual(
          firstArrivals,
          Array.from({ length: EVENTS }, (_, i) => i + 1),
        );
        assert.ok(duplicated <= 1, `at most the attempt in flight is sent again (${duplicated})`);
        assert.equal(stats.duplicates, duplicated);
        assert.equal(stats.refused.length, 0);
        const final = await eventually('recorded', async () => {
          const s = await status(servers.at(-1)!.url);
          const done = s.pending === 0 && s.current === undefined;
          return done && !s.heldBy?.includes(`/${victim.pid}/`) ? s : undefined;
        });
        assert.ok(
          !final.heldBy?.includes(`/${victim.pid}/`),
          `taken over: ${final.heldBy} (killed ${victim.pid})`,
        );
      } finally {
        client.stop();
        for (const server of servers) await kill(server.child.child, 'SIGTERM');
        await receiver.stop();
        await fixture.cleanup();
      }
    });
  }
});
