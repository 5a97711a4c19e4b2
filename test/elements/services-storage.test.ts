import { expect } from '@open-wc/testing';

import { DEFAULT_STORAGE_QUOTA_BYTES } from '../../sdk/protocol/index.ts';
import { Host } from '../../shell/host/host.ts';
import {
  IndexedDbStorageBackend,
  MemoryStorageBackend,
  StorageService,
} from '../../shell/services/index.ts';
import { callOnce, mountServices } from '../fixtures/services-harness.ts';
import { cleanup, createCanvas } from '../helpers/canvas.ts';

describe('Host services: storage', () => {
  afterEach(cleanup);

  it('keeps per-app JSON values across a remount (the frame itself has no storage)', async () => {
    const canvas = createCanvas();
    const slot = await mountServices(canvas, 'alpha');
    const items = [{ id: 1, title: 'Buy milk', done: false }];
    expect(
      await callOnce(canvas, 'alpha', slot, 'storageSet', ['items', JSON.stringify(items)]),
    ).not.to.have.property('error');
    expect(
      await callOnce(canvas, 'alpha', slot, 'storageSet', ['theme', '"dark"']),
    ).not.to.have.property('error');
    canvas.unmount(slot);
    const again = await mountServices(canvas, 'alpha');
    // Values come back as the JSON text they were stored as; the SDK parses it.
    expect(await callOnce(canvas, 'alpha', again, 'storageGet', ['items'])).to.deep.equal({
      value: JSON.stringify(items),
    });
    const keys = await callOnce(canvas, 'alpha', again, 'storageKeys');
    expect((keys as { value: string[] }).value.sort()).to.deep.equal(['items', 'theme']);
    await callOnce(canvas, 'alpha', again, 'storageRemove', ['theme']);
    expect(await callOnce(canvas, 'alpha', again, 'storageGet', ['theme'])).to.deep.equal({
      value: null,
    });
  });

  it("keeps apps apart: one app cannot read or list another's keys", async () => {
    const canvas = createCanvas();
    const a = await mountServices(canvas, 'alpha');
    const b = await mountServices(canvas, 'beta');
    await callOnce(canvas, 'alpha', a, 'storageSet', ['secret', '"alpha only"']);
    expect(await callOnce(canvas, 'beta', b, 'storageGet', ['secret'])).to.deep.equal({
      value: null,
    });
    expect(await callOnce(canvas, 'beta', b, 'storageKeys')).to.deep.equal({ value: [] });
    // Keys that look like paths or prototypes are just keys of the caller's own store.
    for (const key of ['alpha/secret', '../alpha', '__proto__', 'constructor']) {
      expect(await callOnce(canvas, 'beta', b, 'storageGet', [key])).to.deep.equal({ value: null });
    }
    expect(
      await callOnce(canvas, 'beta', b, 'storageSet', ['__proto__', '{"polluted":true}']),
    ).not.to.have.property('error');
    expect(({} as { polluted?: boolean }).polluted).to.equal(undefined);
  });

  it('refuses writes over the quota with QUOTA_EXCEEDED and writes nothing', async () => {
    const canvas = createCanvas();
    const slot = await mountServices(canvas, 'alpha', { storage: { quotaBytes: 1000 } });
    expect(
      await callOnce(canvas, 'alpha', slot, 'storageSet', ['a', JSON.stringify('x'.repeat(600))]),
    ).not.to.have.property('error');
    // 1 + 602 bytes used; another 600-char value does not fit.
    const over = await callOnce(canvas, 'alpha', slot, 'storageSet', [
      'b',
      JSON.stringify('y'.repeat(600)),
    ]);
    expect(over).to.have.nested.property('error.code', 'QUOTA_EXCEEDED');
    expect(await callOnce(canvas, 'alpha', slot, 'storageGet', ['b'])).to.deep.equal({
      value: null,
    });
    // Replacing a key counts its new size, not both.
    expect(
      await callOnce(canvas, 'alpha', slot, 'storageSet', ['a', JSON.stringify('z'.repeat(900))]),
    ).not.to.have.property('error');
    // One value bigger than the whole quota: refused on its length, before any parsing.
    const huge = await callOnce(canvas, 'alpha', slot, 'storageSet', [
      'c',
      { $repeat: ['h', 100_000] },
    ]);
    expect(huge).to.have.nested.property('error.code', 'QUOTA_EXCEEDED');
    expect(await canvas.host.services.storage.usage('alpha')).to.equal(1 + 902);
  });

  it('holds the quota against many concurrent writes', async () => {
    const service = new StorageService(new MemoryStorageBackend());
    const writes = Array.from({ length: 50 }, (_, i) =>
      service.set('app', `k${i}`, 'v'.repeat(95), 1000).then(
        () => 'ok',
        (e: { code: string }) => e.code,
      ),
    );
    const results = await Promise.all(writes);
    // Each entry costs 2–3 (key) + 97 (JSON string) bytes: ten fit, no more.
    expect(results.filter((r) => r === 'ok')).to.have.length(10);
    expect(results.filter((r) => r === 'QUOTA_EXCEEDED')).to.have.length(40);
    expect(await service.usage('app')).to.be.at.most(1000);
  });

  it('refuses junk keys and values with INVALID_ARGUMENT', async () => {
    const canvas = createCanvas();
    const slot = await mountServices(canvas, 'alpha');
    const junk: Array<[string, unknown[]]> = [
      ['storageGet', []],
      ['storageGet', [42]],
      ['storageGet', ['']],
      ['storageGet', ['k'.repeat(129)]],
      ['storageGet', ['tab\tkey']],
      ['storageSet', ['k']],
      ['storageSet', ['k', { $deep: 100 }]],
      ['storageSet', ['k', '{"a":']],
      ['storageSet', ['k', 'undefined']],
      ['storageSet', ['k', `${'['.repeat(100)}${']'.repeat(100)}`]],
      ['storageSet', ['k', { value: 1 }]],
      ['storageSet', ['k', { $cyclic: 1 }]],
      ['storageSet', ['k', { $nan: 1 }]],
      ['storageSet', ['k', { $date: 1 }]],
      ['storageRemove', [{ key: 'k' }]],
    ];
    for (const [method, args] of junk) {
      const outcome = await callOnce(canvas, 'alpha', slot, method, args);
      expect(outcome, `${method} ${String(args[0])}`).to.have.nested.property(
        'error.code',
        'INVALID_ARGUMENT',
      );
    }
    expect(await canvas.host.services.storage.usage('alpha')).to.equal(0);
  });

  it("can keep values in the host page's IndexedDB", async () => {
    const name = `mc-test-${crypto.randomUUID()}`;
    const backend = new IndexedDbStorageBackend(name);
    const host = new Host({ storage: backend });
    try {
      await host.services.storage.set('alpha', 'items', [1, 2, 3]);
      await host.services.storage.set('beta', 'items', 'b');
      // A second service over the same database sees the values and their usage.
      const reopened = new StorageService(backend);
      expect(await reopened.get('alpha', 'items')).to.deep.equal([1, 2, 3]);
      expect(await reopened.keys('alpha')).to.deep.equal(['items']);
      expect(await reopened.usage('alpha')).to.equal('items'.length + '[1,2,3]'.length);
      await reopened.remove('alpha', 'items');
      expect(await host.services.storage.get('alpha', 'items')).to.equal(null);
      expect(await reopened.get('beta', 'items')).to.equal('b');
      expect(DEFAULT_STORAGE_QUOTA_BYTES).to.equal(64 * 1024);
    } finally {
      host.destroy();
      await backend.close();
      indexedDB.deleteDatabase(name);
    }
  });
});
