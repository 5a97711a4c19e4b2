import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { pino } from 'pino';
import { WebSocket } from 'ws';

import { createIdentityVerifier } from '../../../server/backend/index.ts';
import { createServer, type McServer } from '../../../server/server.ts';
import { signToken } from '../../../server/transport/index.ts';
import type { Host } from '../../../shell/host/host.ts';
import { IdentityRemote } from '../../../shell/remote/identity-remote.ts';
import { ServerLink, type LinkSocket } from '../../../shell/remote/server-link.ts';
import { until } from './until.ts';

/**
 * The host's identity service on a real ServerLink and the real server (embedded engine):
 * tokens for the mount's app and slot in the remote's space, reused until 10 s before they
 * expire, refused as the server refuses, and NOT_READY without a connection.
 */

const ORIGIN = 'http://host.test';
const SECRET = 'identity-test-secret-identity-test-secret';
const ADMIN = 'identity-test-admin-identity-test-admin-01';

/** Puts app `id` in the server's registry through its admin API. */
async function register(server: McServer, id: string, scopes: string[]): Promise<void> {
  const entry = {
    manifest: { id, name: id, url: `http://127.0.0.1:9/${id}/`, services: ['identity'], scopes },
    version: '1.0.0',
  };
  const res = await fetch(`${server.url}/registry/apps/${id}`, {
    method: 'PUT',
    headers: {
      authorization: `Bearer ${ADMIN}`,
      'content-type': 'application/json',
      'if-none-match': '*',
    },
    body: JSON.stringify(entry),
  });
  assert.equal(res.status, 201);
}

describe('IdentityRemote (host side of the identity service)', { timeout: 30_000 }, () => {
  let server: McServer;
  let link: ServerLink;
  const verifier = () =>
    createIdentityVerifier({ jwksUrl: `${server.url}/.well-known/jwks.json`, audience: 'todo' });
  const remote = (space = 'team') => {
    const host = { services: { identity: undefined } } as unknown as Pick<Host, 'services'>;
    return { host, remote: new IdentityRemote(host, { link, space }) };
  };
  const issued = async () => {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    return Number(/identity_tokens_total\{result="issued"[^}]*\} (\d+)/.exec(text)?.[1] ?? 0);
  };

  before(async () => {
    server = await createServer({
      port: 0,
      engine: { engine: 'embedded', url: ':memory:' },
      logger: pino({ level: process.env.MC_TEST_LOG ?? 'silent' }),
      hostOrigins: [ORIGIN],
      authSecret: SECRET,
      adminToken: ADMIN,
      // Reused until 10 s before expiry: 2 s of reuse.
      identityTokenTtlS: 12,
    });
    await register(server, 'todo', ['items:read']);
    await server.spaces.create('team', { members: ['ann'] });
    await server.spaces.create('others', { members: ['bob'] });
    link = new ServerLink({
      url: server.url,
      device: `device-identity-${process.pid}`,
      getToken: () => signToken(SECRET, 'ann'),
      socket: (url, protocols) =>
        new WebSocket(url, protocols, { origin: ORIGIN }) as unknown as LinkSocket,
    });
  });
  after(async () => {
    link.stop();
    await server.close();
  });

  it('is NOT_READY without a connection, and serves tokens once started', async () => {
    const { host, remote: identity } = remote();
    await assert.rejects(identity.identityToken({ app: 'todo', slot: 's1' }), {
      code: 'NOT_READY',
    });
    identity.start();
    assert.equal(host.services.identity, identity);
    await until(() => link.state === 'online', 'link online');
    const { token, expiresAt, api } = await identity.identityToken({ app: 'todo', slot: 's1' });
    const claims = await verifier().verify(token);
    assert.deepEqual(
      [claims.aud, claims.sub, claims.space, claims.slot, claims.scopes],
      ['todo', 'ann', 'team', 's1', ['items:read']],
    );
    assert.equal(expiresAt, claims.exp * 1000);
    // Where the token is good: the app's API behind the server's gateway.
    assert.equal(api, new URL('/api/todo', server.url).href);
    identity.stop();
    assert.equal(host.services.identity, undefined);
  });

  it('reuses a token per app and slot until 10 s before it expires; concurrent asks share one', async () => {
    const { remote: identity } = remote();
    identity.start();
    await until(() => link.state === 'online', 'link online');
    const before = await issued();
    const [a, b] = await Promise.all([
      identity.identityToken({ app: 'todo', slot: 's1' }),
      identity.identityToken({ app: 'todo', slot: 's1' }),
    ]);
    assert.equal(a.token, b.token);
    assert.equal((await identity.identityToken({ app: 'todo', slot: 's1' })).token, a.token);
    const other = await identity.identityToken({ app: 'todo', slot: 's2' });
    assert.notEqual(other.token, a.token);
    assert.equal((await verifier().verify(other.token)).slot, 's2');
    assert.equal((await issued()) - before, 2);
    // Renewed once within 10 s of its expiry (12 s tokens: after 2 s).
    await new Promise((resolve) => setTimeout(resolve, a.expiresAt - 10_000 - Date.now() + 50));
    const renewed = await identity.identityToken({ app: 'todo', slot: 's1' });
    assert.notEqual(renewed.token, a.token);
    identity.stop();
  });

  it("passes on the server's refusals, and does not keep them", async () => {
    const { remote: identity } = remote();
    identity.start();
    await until(() => link.state === 'online', 'link online');
    for (let i = 0; i < 2; i++) {
      await assert.rejects(identity.identityToken({ app: 'nosuchapp', slot: 's1' }), {
        name: 'McError',
        code: 'UNKNOWN_APP',
      });
    }
    const { remote: foreign } = remote('others');
    await assert.rejects(foreign.identityToken({ app: 'todo', slot: 's1' }), {
      code: 'NOT_FOUND',
    });
    identity.stop();
  });
});
