import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { McError } from '../../sdk/protocol/errors.ts';
import type { Engine } from '../../server/engine/index.ts';
import { ENGINES, EngineFixture, eventually } from './helpers/engines.ts';

const LONG = 60_000;

for (const kind of ENGINES) {
  describe(`engine conformance (${kind}): key-value`, () => {
    const fixture = new EngineFixture(kind);
    let engine: Engine;
    let peer: Engine;

    before(async () => {
      engine = await fixture.open();
      peer = await fixture.open();
    });
    after(() => fixture.cleanup());

    it('reads an absent key as undefined', async () => {
      assert.equal(await engine.kv.get('absent.key'), undefined);
    });

    it('stores a value with an increasing version, seen by another connection', async () => {
      const v1 = await engine.kv.set('space.a', '{"n":1}', LONG);
      assert.ok(v1 > 0);
      assert.deepEqual(await peer.kv.get('space.a'), { value: '{"n":1}', version: v1 });
      const v2 = await peer.kv.set('space.a', '{"n":2}', LONG);
      assert.ok(v2 > v1, `version ${v2} after ${v1}`);
      assert.deepEqual(await engine.kv.get('space.a'), { value: '{"n":2}', version: v2 });
    });

    it('keeps unicode and large values intact', async () => {
      const value = `ü😀${'x'.repeat(200_000)}`;
      await engine.kv.set('big', value, LONG);
      assert.equal((await peer.kv.get('big'))?.value, value);
    });

    it('expires a key after its TTL, and a write renews the TTL', async () => {
      await engine.kv.set('ttl.control', 'c', 800);
      await engine.kv.set('ttl.renewed', 'r', 800);
      await engine.kv.set('ttl.renewed', 'r2', LONG);
      assert.equal((await engine.kv.get('ttl.control'))?.value, 'c');
      await eventually('the control key to expire', async () =>
        (await engine.kv.get('ttl.control')) === undefined ? true : undefined,
      );
      assert.equal((await peer.kv.get('ttl.renewed'))?.value, 'r2');
    });

    it('compare-and-set: creates only when absent, updates only at the expected version', async () => {
      const created = await engine.kv.compareAndSet('cas.k', 'one', 0, LONG);
      assert.equal(created.ok, true);
      const v1 = created.ok ? created.version : 0;

      const again = await peer.kv.compareAndSet('cas.k', 'other', 0, LONG);
      assert.deepEqual(again, { ok: false, current: { value: 'one', version: v1 } });

      const updated = await peer.kv.compareAndSet('cas.k', 'two', v1, LONG);
      assert.equal(updated.ok, true);
      const v2 = updated.ok ? updated.version : 0;
      assert.ok(v2 > v1);

      const stale = await engine.kv.compareAndSet('cas.k', 'lost', v1, LONG);
      assert.deepEqual(stale, { ok: false, current: { value: 'two', version: v2 } });
      assert.deepEqual(await engine.kv.get('cas.k'), { value: 'two', version: v2 });

      const absent = await engine.kv.compareAndSet('cas.none', 'x', 7, LONG);
      assert.deepEqual(absent, { ok: false, current: undefined });
    });

    it('compare-and-set: of 20 racing writers at one version, exactly one wins', async () => {
      const base = await engine.kv.set('cas.race', 'base', LONG);
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          (i % 2 ? engine : peer).kv.compareAndSet('cas.race', `w${i}`, base, LONG),
        ),
      );
      const winners = results.flatMap((r, i) => (r.ok ? [i] : []));
      assert.equal(winners.length, 1, `winners: ${winners.join(', ')}`);
      assert.equal((await engine.kv.get('cas.race'))?.value, `w${winners[0]}`);
    });

    it('compare-and-set: an expired key counts as absent', async () => {
      await engine.kv.set('cas.expiring', 'old', 300);
      await eventually('the key to expire', async () =>
        (await engine.kv.get('cas.expiring')) === undefined ? true : undefined,
      );
      const result = await peer.kv.compareAndSet('cas.expiring', 'new', 0, LONG);
      assert.equal(result.ok, true);
      assert.equal((await engine.kv.get('cas.expiring'))?.value, 'new');
    });

    it('deletes a live key once', async () => {
      await engine.kv.set('del.k', 'v', LONG);
      assert.equal(await peer.kv.delete('del.k'), true);
      assert.equal(await engine.kv.get('del.k'), undefined);
      assert.equal(await engine.kv.delete('del.k'), false);
      const recreated = await engine.kv.compareAndSet('del.k', 'again', 0, LONG);
      assert.equal(recreated.ok, true);
    });

    it('refuses a key outside the common grammar with INVALID_ARGUMENT', async () => {
      for (const key of ['', 'a b', 'a:b', 'a..b', '.a', 'a.*', 'x'.repeat(201)]) {
        await assert.rejects(
          engine.kv.set(key, 'v', LONG),
          (error: unknown) => error instanceof McError && error.code === 'INVALID_ARGUMENT',
          `key ${JSON.stringify(key)}`,
        );
      }
    });

    it('keeps namespaces apart', async () => {
      const other = new EngineFixture(kind);
      try {
        const stranger = await other.open();
        await engine.kv.set('ns.k', 'mine', LONG);
        assert.equal(await stranger.kv.get('ns.k'), undefined);
      } finally {
        await other.cleanup();
      }
    });

    it('reports health, and not after close', async () => {
      assert.deepEqual(await engine.health(), { ok: true });
      const extra = await fixture.open();
      await extra.close();
      const health = await extra.health();
      assert.equal(health.ok, false);
      assert.ok(!health.ok && health.reason.length > 0);
    });
  });
}
