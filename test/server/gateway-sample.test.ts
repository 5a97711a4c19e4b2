import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { provisionDemo } from '../../demo/provision.ts';
import type { McServer } from '../../server/server.ts';
import {
  ADMIN,
  HOST_ORIGIN,
  identityToken,
  signedAs,
  startGatewayServer,
} from './helpers/gateway.ts';
import { type Child, freePort, kill, spawnTs } from './helpers/processes.ts';

/**
 * The demo's todo backend (sample-apps/todo/backend/server.ts, its own process, registered by
 * the demo's provisioning) reached through the gateway as its widget reaches it: with an
 * identity token minted by POST /tokens/identity. The backend trusts only the gateway's
 * assertion, verified against the server's JWKS with microcanvas/backend, so these tests
 * fail if the assertion is missing, badly signed, or made for another method or path.
 */
describe('Gateway to the sample todo backend', { timeout: 60_000 }, () => {
  let server: McServer;
  let backend: Child;
  let todo: string;
  const data = join(tmpdir(), `mc-gateway-todo-${process.pid}-${Date.now()}.json`);

  before(async () => {
    server = await startGatewayServer([], { gatewayAllow: ['127.0.0.0/8'] });
    const port = await freePort();
    todo = `http://127.0.0.1:${port}`;
    const secrets = await provisionDemo(server.url, ADMIN, 'http://127.0.0.1:5173', {
      todo,
      chat: `http://127.0.0.1:${await freePort()}`,
    });
    backend = spawnTs('sample-apps/todo/backend/server.ts', [], {
      MC_SERVER_URL: server.url,
      MC_HOST_ORIGIN: HOST_ORIGIN,
      TODO_PORT: String(port),
      TODO_CREDENTIAL: secrets.todoCredential,
      TODO_WEBHOOK_SECRET: secrets.todoWebhookSecret,
      TODO_DATA: data,
    });
    await backend.line((l) => l.includes('listening'));
  });
  after(async () => {
    if (backend !== undefined) await kill(backend.child);
    await server?.close();
    rmSync(data, { force: true });
  });

  it("lists, adds and ticks a user's items through /api/todo with the widget's token", async () => {
    const auth = { authorization: `Bearer ${await identityToken(server, 'todo', 'ann')}` };
    const list = await fetch(`${server.url}/api/todo/items`, { headers: auth });
    assert.equal(list.status, 200);
    const seeded = ((await list.json()) as { items: unknown[] }).items;
    assert.ok(seeded.length > 0);
    const added = await fetch(`${server.url}/api/todo/items`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'Through the gateway', date: '2026-12-24' }),
    });
    assert.equal(added.status, 201);
    const item = (await added.json()) as { id: string };
    const ticked = await fetch(`${server.url}/api/todo/items/${item.id}`, {
      method: 'PATCH',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ done: true }),
    });
    assert.equal(ticked.status, 200);
    assert.equal(((await ticked.json()) as { done: boolean }).done, true);
    // Another user sees their own items, not ann's.
    const bob = { authorization: `Bearer ${await identityToken(server, 'todo', 'bob')}` };
    const theirs = (await (
      await fetch(`${server.url}/api/todo/items`, { headers: bob })
    ).json()) as {
      items: Array<{ title: string }>;
    };
    assert.ok(!theirs.items.some((i) => i.title === 'Through the gateway'));
  });

  it('is refused by the backend when called around the gateway, whatever the headers say', async () => {
    const direct = await fetch(`${todo}/items`, {
      headers: { 'x-user-id': 'ann', 'x-microapp-id': 'todo' },
    });
    assert.equal(direct.status, 401);
    // A real identity token is no assertion either.
    const token = await identityToken(server, 'todo', 'ann');
    const withToken = await fetch(`${todo}/items`, {
      headers: { 'x-microcanvas-assertion': token },
    });
    assert.equal(withToken.status, 401);
  });

  it('refuses a token of another app on /api/todo', async () => {
    const calendar = await signedAs(
      server,
      { sub: 'ann', space: 'team', slot: 's1', scopes: [] },
      { audience: 'calendar' },
    );
    const res = await fetch(`${server.url}/api/todo/items`, {
      headers: { authorization: `Bearer ${calendar}` },
    });
    assert.equal(res.status, 403);
  });
});
