import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { pino } from 'pino';

import { createServer, type McServer } from '../../../server/server.ts';
import type { Host } from '../../../shell/host/host.ts';
import { RegistryCatalog } from '../../../shell/remote/registry-catalog.ts';

/**
 * RegistryCatalog against the real server's registry (embedded engine): an answer that was
 * read before an update (or a delete) but arrives after a newer one must not be applied, or
 * the host would register the replaced manifest again, with the rights the update took away.
 */

const ADMIN = 'catalog-test-admin-catalog-test-admin-0001';

describe('RegistryCatalog', { timeout: 30_000 }, () => {
  let server: McServer;

  const write = async (method: 'PUT' | 'DELETE', headers: Record<string, string>, name = '') => {
    const res = await fetch(`${server.url}/registry/apps/todo`, {
      method,
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json', ...headers },
      ...(method === 'PUT'
        ? {
            body: JSON.stringify({
              manifest: { id: 'todo', name, url: 'http://127.0.0.1:9/todo/' },
              version: '1.0.0',
            }),
          }
        : {}),
    });
    assert.ok(res.ok, `${method} answered ${res.status}`);
    return res.headers.get('etag') ?? '';
  };

  before(async () => {
    server = await createServer({
      port: 0,
      engine: { engine: 'embedded', url: ':memory:' },
      logger: pino({ level: process.env.MC_TEST_LOG ?? 'silent' }),
      adminToken: ADMIN,
    });
  });
  after(async () => {
    await server.close();
  });

  it('hands the host the whole manifest of each app, and its health', async () => {
    const etag = await write('PUT', { 'if-none-match': '*' }, 'Todo');
    const registered: unknown[] = [];
    const available = new Map<string, boolean>();
    const host = {
      register: (manifest: unknown) => void registered.push(manifest),
      setAvailable: (id: string, on: boolean) => void available.set(id, on),
    } as unknown as Host;
    await new RegistryCatalog({ url: server.url, host }).refresh();
    assert.equal(registered.length, 1);
    const manifest = registered[0] as { id: string; name: string; url: string };
    assert.equal(manifest.id, 'todo');
    assert.equal(manifest.name, 'Todo', 'the manifest lost its fields on the way');
    assert.equal(manifest.url, 'http://127.0.0.1:9/todo/');
    assert.equal(available.get('todo'), true);
    await write('DELETE', { 'if-match': etag });
  });

  it('drops an answer that was overtaken by a newer one (update, then delete)', async () => {
    let etag = await write('PUT', { 'if-none-match': '*' }, 'Todo v1');
    // What the host was told, in order.
    const registered: string[] = [];
    const available = new Map<string, boolean>();
    const host = {
      register: (manifest: { name: string }) => void registered.push(manifest.name),
      setAvailable: (id: string, on: boolean) => void available.set(id, on),
    } as unknown as Host;
    // The next read is answered by the server at once but handed to the catalog only on
    // release(): a slow answer on the network.
    let hold: { release: () => void } | undefined;
    const gated: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      const held = hold;
      hold = undefined;
      if (held) await new Promise<void>((resolve) => (held.release = resolve));
      return res;
    };
    const catalog = new RegistryCatalog({ url: server.url, host, fetch: gated });

    const gate = () => {
      const g = { release: () => {} };
      hold = g;
      return g;
    };
    const slow = gate();
    const stale = catalog.refresh();
    await until(() => hold === undefined);
    etag = await write('PUT', { 'if-match': etag }, 'Todo v2');
    await catalog.refresh();
    assert.deepEqual(registered, ['Todo v2']);
    slow.release();
    await stale;
    assert.deepEqual(registered, ['Todo v2'], 'the older answer put v1 back');
    assert.equal(available.get('todo'), true);

    // The same for a delete: an answer read before it does not make the app available again.
    const slow2 = gate();
    const stale2 = catalog.refresh();
    await until(() => hold === undefined);
    await write('DELETE', { 'if-match': etag });
    await catalog.refresh();
    assert.equal(available.get('todo'), false);
    slow2.release();
    await stale2;
    assert.equal(available.get('todo'), false, 'the older answer made a deleted app available');
    assert.deepEqual(registered, ['Todo v2']);
  });
});

async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !done(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(done());
}
