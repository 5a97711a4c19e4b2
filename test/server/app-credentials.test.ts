import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';

import type { Engine, RecordStore } from '../../server/engine/index.ts';
import { AppCredentials } from '../../server/registry/app-credentials.ts';
import { ENGINES, EngineFixture } from './helpers/engines.ts';

/**
 * App credentials on every engine, against a caller who invents credentials: anyone on the
 * network can send `Bearer mcapp_<any app>_<43 characters>` to the queue, publish and heartbeat
 * routes. Such a credential must cost no engine read (the registry, cached, says the app does
 * not exist), and so never fills the per-process cache of hashes (which starts over when full).
 */
for (const kind of ENGINES) {
  describe(`app credentials (${kind}): invented apps`, () => {
    const fixture = new EngineFixture(kind);
    let engine: Engine;
    let reads = 0;
    let credentials: AppCredentials;
    const apps = new Set(['todo']);

    before(async () => {
      engine = await fixture.open();
      // The engine's own store, with its reads counted.
      const counted = new Proxy(engine.records, {
        get(target, prop) {
          const value: unknown = Reflect.get(target, prop, target);
          if (typeof value !== 'function') return value;
          return (...args: unknown[]) => {
            if (prop === 'get' || prop === 'list') reads++;
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          };
        },
      }) as RecordStore;
      credentials = new AppCredentials(counted, async (app) => apps.has(app));
    });
    after(() => fixture.cleanup());

    it('refuses credentials of apps not in the registry without reading the engine', async () => {
      const { secret } = await credentials.issue('todo');
      assert.equal(await credentials.authenticate(`Bearer ${secret}`), 'todo');
      reads = 0;
      // More invented apps than the cache holds (1,000).
      for (let i = 0; i < 1_100; i++) {
        const invented = `mcapp_x${i}_${randomBytes(32).toString('base64url')}`;
        await assert.rejects(credentials.authenticate(`Bearer ${invented}`), {
          code: 'UNAUTHENTICATED',
        });
      }
      assert.equal(reads, 0, `${reads} engine reads for invented apps`);
      assert.equal(await credentials.authenticate(`Bearer ${secret}`), 'todo');
      // A wrong secret of a real app is refused as before.
      const wrong = `mcapp_todo_${randomBytes(32).toString('base64url')}`;
      await assert.rejects(credentials.authenticate(`Bearer ${wrong}`), {
        code: 'UNAUTHENTICATED',
      });
    });
  });
}
