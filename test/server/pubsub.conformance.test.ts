import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import type { Engine } from '../../server/engine/index.ts';
import { ENGINES, EngineFixture, eventually } from './helpers/engines.ts';

for (const kind of ENGINES) {
  describe(`engine conformance (${kind}): pub/sub`, () => {
    const fixture = new EngineFixture(kind);
    let engine: Engine;
    let peer: Engine;

    before(async () => {
      engine = await fixture.open();
      peer = await fixture.open();
    });
    after(() => fixture.cleanup());

    it('fans out to every subscriber, in publish order', async () => {
      const a: string[] = [];
      const b: string[] = [];
      const offA = await engine.pubsub.subscribe('ch.order', (p) => a.push(p));
      const offB = await peer.pubsub.subscribe('ch.order', (p) => b.push(p));
      const sent = Array.from({ length: 200 }, (_, i) => `m${i}`);
      for (const m of sent) await peer.pubsub.publish('ch.order', m);
      await eventually('all 200 on both', async () =>
        a.length >= 200 && b.length >= 200 ? true : undefined,
      );
      assert.deepEqual(a, sent);
      assert.deepEqual(b, sent);
      await offA();
      await offB();
    });

    it('stops delivering to an unsubscribed handler (the other still receives)', async () => {
      const stays: string[] = [];
      const leaves: string[] = [];
      const offStays = await peer.pubsub.subscribe('ch.off', (p) => stays.push(p));
      const offLeaves = await engine.pubsub.subscribe('ch.off', (p) => leaves.push(p));
      await engine.pubsub.publish('ch.off', 'before');
      await eventually('both to get "before"', async () =>
        stays.length === 1 && leaves.length === 1 ? true : undefined,
      );
      await offLeaves();
      await engine.pubsub.publish('ch.off', 'after');
      await peer.pubsub.publish('ch.off', 'after2');
      await eventually('the remaining subscriber to get both', async () =>
        stays.length === 3 ? true : undefined,
      );
      assert.deepEqual(leaves, ['before']);
      await offStays();
    });

    it('keeps channels and namespaces apart', async () => {
      const other = new EngineFixture(kind);
      try {
        const stranger = await other.open();
        const wrong: string[] = [];
        const right: string[] = [];
        const off1 = await stranger.pubsub.subscribe('ch.iso', (p) => wrong.push(p));
        const off2 = await engine.pubsub.subscribe('ch.iso.sub', (p) => wrong.push(p));
        const off3 = await engine.pubsub.subscribe('ch.iso', (p) => right.push(p));
        await peer.pubsub.publish('ch.iso', 'x');
        await eventually('the subscriber to get it', async () =>
          right.length === 1 ? true : undefined,
        );
        // Control delivered; the others had the same path and time to get it.
        await stranger.pubsub.publish('ch.iso', 'stranger');
        await eventually('the stranger to get its own', async () =>
          wrong.includes('stranger') ? true : undefined,
        );
        assert.deepEqual(wrong, ['stranger']);
        assert.deepEqual(right, ['x']);
        await Promise.all([off1(), off2(), off3()]);
      } finally {
        await other.cleanup();
      }
    });
  });
}
