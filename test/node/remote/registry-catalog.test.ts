import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { pino } from 'pino';

import { createServer, type McServer } from '../../../server/server.ts';
import type { Host } from '../../../shell/host/host.ts';
import { RegistryCatalog } from '../../../shell/remote/registry-catalog.ts';

/** RegistryCatalog against the real server's registry (embedded engine). */

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
});
