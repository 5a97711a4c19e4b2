import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ENGINES, EngineFixture, eventually, readAll } from './helpers/engines.ts';
import { kill, spawnTs } from './helpers/processes.ts';

/** Numbers of the lines `<word> <n> …` a child printed. */
const numbers = (lines: string[], word: string) =>
  lines.filter((l) => l.startsWith(`${word} `)).map((l) => Number(l.split(' ')[1]));

for (const kind of ENGINES) {
  describe(`fault (${kind}): a server process killed with SIGKILL mid-stream`, () => {
    it('loses no acknowledged append, and duplicates none', async (t) => {
      const fixture = new EngineFixture(kind);
      try {
        const engine = await fixture.open();
        const writer = spawnTs('test/server/fixtures/writer.ts', [
          kind,
          fixture.url,
          fixture.namespace,
          'faults.kill',
        ]);
        await writer.line(() => numbers(writer.lines, 'ack').length >= 300, 30_000);
        await kill(writer.child);
        const acked = numbers(writer.lines, 'ack');
        const stored = (await readAll(engine, 'faults.kill')).map(
          (e) => (JSON.parse(e.payload) as { n: number }).n,
        );
        const storedSet = new Set(stored);
        const lost = acked.filter((n) => !storedSet.has(n)).length;
        const duplicated = stored.length - storedSet.size;
        t.diagnostic(
          `appends acked ${acked.length}, stored ${stored.length}, lost ${lost}, duplicated ${duplicated}`,
        );
        assert.equal(lost, 0);
        assert.equal(duplicated, 0);
        // Stored in order, and at most the one append in flight beyond the last ack.
        assert.deepEqual(
          stored,
          stored.map((_, i) => i + 1),
        );
        assert.ok(stored.length - acked.length <= 1, `${stored.length} vs ${acked.length}`);
      } finally {
        await fixture.cleanup();
      }
    });

    it('redelivers to another member what a killed consumer had not acked; loses nothing', async (t) => {
      const fixture = new EngineFixture(kind);
      try {
        const engine = await fixture.open();
        const total = 600;
        for (let n = 1; n <= total; n++) await engine.log.append('faults.consume', `${n}`);
        const ackWaitMs = 1_000;
        const member = spawnTs('test/server/fixtures/consumer.ts', [
          kind,
          fixture.url,
          fixture.namespace,
          'faults.consume',
          'workers',
          String(ackWaitMs),
        ]);
        await member.line(() => numbers(member.lines, 'acked').length >= 150, 30_000);
        await kill(member.child);
        const gotByDead = new Set(numbers(member.lines, 'got'));
        const ackedByDead = new Set(numbers(member.lines, 'acked'));

        const mine = new Map<number, number>();
        const take = async () => {
          const batch = await engine.log.consume('faults.consume', 'workers', {
            max: 100,
            ackWaitMs,
          });
          for (const d of batch) {
            mine.set(d.offset, (mine.get(d.offset) ?? 0) + 1);
            await engine.log.ack('faults.consume', 'workers', d);
          }
        };
        const unredelivered = () =>
          [...gotByDead].filter((o) => !ackedByDead.has(o) && !mine.has(o));
        // Every entry reaches someone; then what the dead one had not acked comes back. The
        // one whose ack was in flight at the kill may have been acked without saying so:
        // it may stay away, and only that one (the first it got and did not report acked).
        await eventually(
          'every entry to reach a member',
          async () => {
            await take();
            const reached = new Set([...gotByDead, ...mine.keys()]);
            return reached.size === total ? true : undefined;
          },
          30_000,
        );
        await eventually(
          'the unacked entries to come back',
          async () => {
            await take();
            return unredelivered().length === 0 ? true : undefined;
          },
          4 * ackWaitMs,
        ).catch(() => {});
        const inFlight = numbers(member.lines, 'got').find((o) => !ackedByDead.has(o));
        const reAcked = [...mine.keys()].filter((o) => ackedByDead.has(o));
        const redelivered = [...mine.keys()].filter((o) => gotByDead.has(o)).length;
        const lost = total - new Set([...gotByDead, ...mine.keys()]).size;
        const twiceToMe = [...mine.values()].filter((c) => c > 1).length;
        t.diagnostic(
          `entries ${total}; dead member got ${gotByDead.size}, acked ${ackedByDead.size}; ` +
            `redelivered to the other ${redelivered}; never redelivered ${unredelivered().length} ` +
            `(ack in flight); lost ${lost}; acked entries back ${reAcked.length}`,
        );
        assert.equal(lost, 0);
        assert.deepEqual(reAcked, [], 'an acknowledged entry came back');
        assert.equal(twiceToMe, 0);
        assert.ok(
          unredelivered().every((o) => o === inFlight),
          `not redelivered: ${unredelivered().join(', ')} (in flight: ${inFlight})`,
        );
        assert.ok(redelivered >= gotByDead.size - ackedByDead.size - 1);
      } finally {
        await fixture.cleanup();
      }
    });
  });
}
