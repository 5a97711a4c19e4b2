import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ENGINES, EngineFixture, eventually } from './helpers/engines.ts';
import { kill, spawnTs, type Child } from './helpers/processes.ts';
import {
  enqueue,
  QueueApi,
  queueEntry,
  registerApp,
  startQueueServer,
  todoEvent,
} from './helpers/queues.ts';

/** Event ids of the lines `<word> <id> …` a consumer printed. */
const idsOf = (child: Child, word: string) =>
  child.lines.filter((l) => l.startsWith(`${word} `)).map((l) => l.split(' ')[1]!);

for (const kind of ENGINES) {
  describe(`queues (${kind}): a consumer process killed mid-batch`, { timeout: 120_000 }, () => {
    it('its unacked deliveries come back to another consumer after the ack wait: none lost', async (t) => {
      const fixture = new EngineFixture(kind);
      const children: Child[] = [];
      const engine = await fixture.open();
      const server = await startQueueServer(engine, { queues: { ackWaitMs: 1_500, pollMs: 25 } });
      try {
        const credential = await registerApp(server, queueEntry('chat'));
        const total = 300;
        const sent = Array.from({ length: total }, () => todoEvent());
        for (const event of sent) await enqueue(engine, 'chat', event);
        const start = (handlerMs: number) => {
          const child = spawnTs('test/server/fixtures/queue-consumer.ts', [
            server.url,
            'chat',
            'todos',
            credential,
            '8',
            String(handlerMs),
          ]);
          children.push(child);
          return child;
        };
        const doomed = start(100);
        await doomed.line((l) => l === 'ready');
        await doomed.line(() => idsOf(doomed, 'done').length >= 40, 30_000);
        await kill(doomed.child); // SIGKILL: handlers in flight, acks unsent
        const heldByDead = idsOf(doomed, 'got').filter((id) => !idsOf(doomed, 'done').includes(id));
        const survivor = start(10);
        const api = new QueueApi(server, 'chat', credential);
        const done = () => new Set([...idsOf(doomed, 'done'), ...idsOf(survivor, 'done')]);
        await eventually(
          'every event handled',
          async () => (done().size >= total ? true : undefined),
          60_000,
        );
        await eventually(
          'the queue empty',
          async () => {
            const info = await api.info();
            return info.backlog === 0 && info.pending === 0 ? info : undefined;
          },
          20_000,
        );

        const handled = [...idsOf(doomed, 'done'), ...idsOf(survivor, 'done')];
        const unique = new Set(handled);
        const lost = sent.filter((e) => !unique.has(e.id)).length;
        const duplicated = handled.length - unique.size;
        const redelivered = survivor.lines.filter(
          (l) => l.startsWith('got ') && !l.endsWith(' 1'),
        ).length;
        t.diagnostic(
          `sent ${total}, received ${unique.size}, lost ${lost}, duplicated ${duplicated}; ` +
            `held unacked by the killed consumer ${heldByDead.length}, redelivered ${redelivered}`,
        );
        assert.equal(lost, 0);
        assert.ok(heldByDead.length > 0, 'the kill caught handlers in flight');
        // What the dead consumer held came back to the survivor, as a redelivery.
        const survivorGot = new Map(
          survivor.lines
            .filter((l) => l.startsWith('got '))
            .map((l) => [l.split(' ')[1]!, Number(l.split(' ')[2])]),
        );
        for (const id of heldByDead)
          assert.ok((survivorGot.get(id) ?? 0) >= 2, `${id} redelivered`);
        // Duplicates are the at-least-once kind only: handled by the dead one, ack lost.
        assert.ok(duplicated <= 8 * 2, `duplicated ${duplicated}`);
      } finally {
        for (const child of children) await kill(child.child);
        await server.close();
        await fixture.cleanup();
      }
    });
  });
}
