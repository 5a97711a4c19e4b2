import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { McError } from '../../sdk/protocol/errors.ts';
import type { Engine } from '../../server/engine/index.ts';
import { ENGINES, EngineFixture } from './helpers/engines.ts';

const invalid = (error: unknown) => error instanceof McError && error.code === 'INVALID_ARGUMENT';

for (const kind of ENGINES) {
  describe(`engine conformance (${kind}): records`, () => {
    const fixture = new EngineFixture(kind);
    let engine: Engine;
    let peer: Engine;

    before(async () => {
      engine = await fixture.open();
      peer = await fixture.open();
    });
    after(() => fixture.cleanup());

    it('reads an absent record as undefined', async () => {
      assert.equal(await engine.records.get('absent.record'), undefined);
    });

    it('stores a record with an increasing version, seen by another connection', async () => {
      const v1 = await engine.records.set('rec.a', '{"n":1}');
      assert.ok(v1 > 0);
      assert.deepEqual(await peer.records.get('rec.a'), { value: '{"n":1}', version: v1 });
      const v2 = await peer.records.set('rec.a', '{"n":2}');
      assert.ok(v2 > v1, `version ${v2} after ${v1}`);
      assert.deepEqual(await engine.records.get('rec.a'), { value: '{"n":2}', version: v2 });
    });

    it('keeps unicode and large values intact', async () => {
      const value = `ü😀${'x'.repeat(200_000)}`;
      await engine.records.set('rec.big', value);
      assert.equal((await peer.records.get('rec.big'))?.value, value);
    });

    it('compare-and-set: creates only when absent, updates only at the expected version', async () => {
      const created = await engine.records.compareAndSet('cas.k', 'one', 0);
      assert.equal(created.ok, true);
      const v1 = created.ok ? created.version : 0;

      const again = await peer.records.compareAndSet('cas.k', 'other', 0);
      assert.deepEqual(again, { ok: false, current: { value: 'one', version: v1 } });

      const updated = await peer.records.compareAndSet('cas.k', 'two', v1);
      assert.equal(updated.ok, true);
      const v2 = updated.ok ? updated.version : 0;
      assert.ok(v2 > v1);

      const stale = await engine.records.compareAndSet('cas.k', 'lost', v1);
      assert.deepEqual(stale, { ok: false, current: { value: 'two', version: v2 } });
      assert.deepEqual(await engine.records.get('cas.k'), { value: 'two', version: v2 });

      const absent = await engine.records.compareAndSet('cas.none', 'x', 7);
      assert.deepEqual(absent, { ok: false, current: undefined });
      assert.equal(await engine.records.get('cas.none'), undefined);
    });

    it('compare-and-set: of 20 writers racing from two instances at one version, exactly one wins', async () => {
      for (const start of ['update', 'create'] as const) {
        const key = `cas.race.${start}`;
        const base = start === 'update' ? await engine.records.set(key, 'base') : 0;
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            (i % 2 ? engine : peer).records.compareAndSet(key, `w${i}`, base),
          ),
        );
        const winners = results.flatMap((r, i) => (r.ok ? [i] : []));
        assert.equal(winners.length, 1, `${start}: winners ${winners.join(', ')}`);
        const won = results[winners[0]!]!;
        assert.deepEqual(await peer.records.get(key), {
          value: `w${winners[0]}`,
          version: won.ok ? won.version : -1,
        });
        for (const lost of results.filter((r) => !r.ok)) {
          assert.equal(lost.ok ? undefined : lost.current?.version !== base, true);
        }
      }
    });

    it('deletes a record once; with a version, only at that version', async () => {
      const v1 = await engine.records.set('del.k', 'v1');
      const v2 = await engine.records.set('del.k', 'v2');
      assert.equal(await peer.records.delete('del.k', v1), false, 'stale version refused');
      assert.deepEqual(await engine.records.get('del.k'), { value: 'v2', version: v2 });
      assert.equal(await peer.records.delete('del.k', v2), true);
      assert.equal(await engine.records.get('del.k'), undefined);
      assert.equal(await engine.records.delete('del.k'), false);
      assert.equal(await engine.records.delete('del.k', v2), false);

      await engine.records.set('del.any', 'x');
      assert.equal(await peer.records.delete('del.any'), true);
      assert.equal(await engine.records.get('del.any'), undefined);
    });

    it('never hands a version back to a record deleted and created again', async () => {
      const created = await engine.records.compareAndSet('again.k', 'first', 0);
      assert.ok(created.ok);
      assert.equal(await engine.records.delete('again.k', created.version), true);
      const recreated = await peer.records.compareAndSet('again.k', 'second', 0);
      assert.ok(recreated.ok);
      assert.ok(recreated.version > created.version, 'a fresh version after delete');
      // An update naming the old record's version is refused.
      const stale = await engine.records.compareAndSet('again.k', 'third', created.version);
      assert.equal(stale.ok, false);
      assert.equal(await engine.records.delete('again.k', created.version), false);
    });

    it('lists keys under a whole-token prefix, sorted, with a limit', async () => {
      const keys = [
        'list.apps.b',
        'list.apps.a',
        'list.apps.c.deep',
        'list.apps-x.y',
        'list.appsx',
      ];
      for (const key of keys) await engine.records.set(key, key);
      await engine.records.set('list.apps', 'the prefix itself is not under itself');
      assert.deepEqual(await peer.records.list('list.apps'), [
        'list.apps.a',
        'list.apps.b',
        'list.apps.c.deep',
      ]);
      assert.deepEqual(await peer.records.list('list.apps', 2), ['list.apps.a', 'list.apps.b']);
      assert.deepEqual(await engine.records.list('list.apps.c'), ['list.apps.c.deep']);
      assert.deepEqual(await engine.records.list('list.none'), []);
      assert.deepEqual(await engine.records.list('list'), [
        'list.apps',
        'list.apps-x.y',
        'list.apps.a',
        'list.apps.b',
        'list.apps.c.deep',
        'list.appsx',
      ]);
      await peer.records.delete('list.apps.b');
      assert.deepEqual(await engine.records.list('list.apps'), ['list.apps.a', 'list.apps.c.deep']);
    });

    it('keeps records across a new engine instance (reconnect)', async () => {
      const version = await engine.records.set('keep.k', 'kept');
      const fresh = await fixture.open();
      assert.deepEqual(await fresh.records.get('keep.k'), { value: 'kept', version });
      assert.deepEqual(await fresh.records.list('keep'), ['keep.k']);
      await fresh.close();
    });

    it('refuses names, versions and limits outside the grammar with INVALID_ARGUMENT', async () => {
      for (const key of ['', 'a b', 'a:b', 'a..b', '.a', 'a.*', 'a.>', 'x'.repeat(201)]) {
        await assert.rejects(engine.records.set(key, 'v'), invalid, `key ${JSON.stringify(key)}`);
        await assert.rejects(engine.records.list(key), invalid, `prefix ${JSON.stringify(key)}`);
      }
      await assert.rejects(engine.records.compareAndSet('v.k', 'v', -1), invalid);
      await assert.rejects(engine.records.compareAndSet('v.k', 'v', 1.5), invalid);
      await assert.rejects(engine.records.delete('v.k', -1), invalid);
      await assert.rejects(engine.records.list('v', 0), invalid);
      await assert.rejects(engine.records.list('v', 10_001), invalid);
    });

    it('keeps namespaces apart', async () => {
      const other = new EngineFixture(kind);
      try {
        const stranger = await other.open();
        await engine.records.set('ns.k', 'mine');
        assert.equal(await stranger.records.get('ns.k'), undefined);
        assert.deepEqual(await stranger.records.list('ns'), []);
        assert.equal(await stranger.records.delete('ns.k'), false);
        await stranger.records.set('ns.theirs', 'theirs');
        assert.deepEqual(await engine.records.list('ns'), ['ns.k']);
      } finally {
        await other.cleanup();
      }
    });

    it('keeps records apart from key-value entries of the same name', async () => {
      await engine.kv.set('both.k', 'kv', 60_000);
      await engine.records.set('both.k', 'record');
      assert.equal((await peer.kv.get('both.k'))?.value, 'kv');
      assert.equal((await peer.records.get('both.k'))?.value, 'record');
    });
  });
}
