import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { McError } from '../../sdk/protocol/errors.ts';
import type { McServer } from '../../server/server.ts';
import { ENGINES, EngineFixture, eventually } from './helpers/engines.ts';
import {
  ADMIN,
  entryOf,
  EventStream,
  HOST_ORIGIN,
  RegistryApi,
  startRegistryServer,
} from './helpers/registry.ts';

const status = async (res: Response): Promise<number> => {
  await res.body?.cancel();
  return res.status;
};
const errorOf = async (res: Response) =>
  ((await res.json()) as { error: { code: string; message: string; issues?: unknown[] } }).error;

for (const kind of ENGINES) {
  describe(`registry HTTP API (${kind})`, { timeout: 60_000 }, () => {
    const fixture = new EngineFixture(kind);
    let server: McServer;
    let api: RegistryApi;

    before(async () => {
      server = await startRegistryServer(await fixture.open());
      api = new RegistryApi(server);
    });
    after(async () => {
      await server.close();
      await fixture.cleanup();
    });

    it('creates, reads, updates and deletes an entry with ETags', async () => {
      const etag = await api.create(entryOf('crud'));
      assert.match(etag, /^"\d+"$/);
      const full = await api.request('GET', '/registry/apps/crud');
      assert.equal(full.headers.get('etag'), etag);
      const stored = (await full.json()) as { backend: { url: string }; version: string };
      assert.equal(stored.version, '1.0.0');
      assert.equal(stored.backend.url, 'http://127.0.0.1:9/crud-backend-secret-path');

      const updated = await api.update(entryOf('crud', { version: '1.1.0' }), etag);
      assert.equal(updated.status, 200);
      const etag2 = updated.headers.get('etag')!;
      assert.notEqual(etag2, etag);
      assert.deepEqual(await updated.json(), { id: 'crud', etag: etag2 });
      assert.equal((await api.publicApp('crud'))?.version, '1.1.0');

      // The old ETag no longer updates nor deletes.
      const stale = await api.update(entryOf('crud', { version: '9.9.9' }), etag);
      assert.equal(stale.status, 412);
      assert.equal(stale.headers.get('etag'), etag2);
      assert.equal((await errorOf(stale)).code, 'CONFLICT');
      const staleDelete = await api.request('DELETE', '/registry/apps/crud', {
        headers: { 'if-match': etag },
      });
      assert.equal(await status(staleDelete), 412);

      const deleted = await api.request('DELETE', '/registry/apps/crud', {
        headers: { 'if-match': etag2 },
      });
      assert.equal(await status(deleted), 204);
      assert.equal(await api.publicApp('crud'), undefined);
      const gone = await api.request('GET', '/registry/apps/crud');
      assert.equal(gone.status, 404);
      assert.equal((await errorOf(gone)).code, 'UNKNOWN_APP');

      // Created again: a fresh ETag, and the one from before the delete matches nothing.
      const again = await api.create(entryOf('crud'));
      assert.notEqual(again, etag);
      assert.equal(await status(await api.update(entryOf('crud'), etag)), 412);
    });

    it('creates only once: a second If-None-Match: * is 412 with the current ETag', async () => {
      const etag = await api.create(entryOf('once'));
      const res = await api.request('PUT', '/registry/apps/once', {
        body: entryOf('once', { version: '2.0.0' }),
        headers: { 'if-none-match': '*' },
      });
      assert.equal(res.status, 412);
      assert.equal(res.headers.get('etag'), etag);
      assert.equal((await api.publicApp('once'))?.version, '1.0.0');
    });

    it('requires a precondition: 428 without If-Match or If-None-Match', async () => {
      const res = await api.request('PUT', '/registry/apps/pre', { body: entryOf('pre') });
      assert.equal(res.status, 428);
      assert.match((await errorOf(res)).message, /If-Match/);
      const del = await api.request('DELETE', '/registry/apps/pre');
      assert.equal(await status(del), 428);
      const star = await api.request('PUT', '/registry/apps/pre', {
        body: entryOf('pre'),
        headers: { 'if-match': '*' },
      });
      assert.equal(await status(star), 400);
      const weak = await api.request('PUT', '/registry/apps/pre', {
        body: entryOf('pre'),
        headers: { 'if-match': 'W/"1"' },
      });
      assert.equal(await status(weak), 400);
      assert.equal(await api.publicApp('pre'), undefined);
      // If-Match on an entry that does not exist: the precondition fails.
      const absent = await api.update(entryOf('pre'), '"1"');
      assert.equal(await status(absent), 412);
    });

    it('answers 400 with the schema issues for an invalid entry, and stores nothing', async () => {
      const bad = entryOf('bad', { version: 'one' });
      (bad.manifest as { url: string }).url = 'javascript:alert(1)';
      const res = await api.request('PUT', '/registry/apps/bad', {
        body: bad,
        headers: { 'if-none-match': '*' },
      });
      assert.equal(res.status, 400);
      const error = await errorOf(res);
      assert.equal(error.code, 'INVALID_MANIFEST');
      const paths = (error.issues as Array<{ path: unknown[] }>).map((i) => i.path.join('.'));
      assert.ok(paths.includes('version'), paths.join(', '));
      assert.ok(paths.includes('manifest.url'), paths.join(', '));

      // A webhook topic outside the manifest's subscribes.
      const wide = entryOf('bad');
      wide.backend!.webhooks![0]!.topics = ['chat.message.sent'];
      const res2 = await api.request('PUT', '/registry/apps/bad', {
        body: wide,
        headers: { 'if-none-match': '*' },
      });
      assert.equal(res2.status, 400);
      const issues2 = (await errorOf(res2)).issues as Array<{ path: unknown[] }>;
      assert.deepEqual(issues2[0]!.path, ['backend', 'webhooks', 0, 'topics', 0]);

      // Not JSON; an unknown field (strict schema); a path id that is not the manifest's.
      const notJson = await fetch(`${server.url}/registry/apps/bad`, {
        method: 'PUT',
        headers: {
          authorization: `Bearer ${ADMIN}`,
          'content-type': 'application/json',
          'if-none-match': '*',
        },
        body: '{"manifest":',
      });
      assert.equal(await status(notJson), 400);
      const extra = { ...entryOf('bad'), owner: 'mallory' };
      const res3 = await api.request('PUT', '/registry/apps/bad', {
        body: extra,
        headers: { 'if-none-match': '*' },
      });
      assert.equal(res3.status, 400);
      assert.equal((await errorOf(res3)).code, 'INVALID_MANIFEST');
      const other = await api.request('PUT', '/registry/apps/bad', {
        body: entryOf('someone-else'),
        headers: { 'if-none-match': '*' },
      });
      assert.equal(other.status, 400);
      assert.match((await errorOf(other)).message, /manifest\.id/);
      const huge = entryOf('bad', {
        manifest: { ...entryOf('bad').manifest, description: 'x'.repeat(70_000) },
      });
      const res4 = await api.request('PUT', '/registry/apps/bad', {
        body: huge,
        headers: { 'if-none-match': '*' },
      });
      assert.equal(await status(res4), 413);
      assert.equal(await api.publicApp('bad'), undefined);
      assert.equal(await api.publicApp('someone-else'), undefined);
    });

    it('refuses writes without the admin credential (401), and with a wrong one', async () => {
      const attempts: Array<Record<string, string>> = [
        {},
        { authorization: 'Bearer wrong-token-wrong-token-wrong-token-wrong' },
        { authorization: `Bearer ${ADMIN}x` },
        { authorization: `Basic ${Buffer.from(`admin:${ADMIN}`).toString('base64')}` },
      ];
      for (const headers of attempts) {
        const put = await api.request('PUT', '/registry/apps/nope', {
          body: entryOf('nope'),
          headers: { ...headers, 'if-none-match': '*' },
          admin: false,
        });
        assert.equal(put.status, 401, JSON.stringify(headers));
        assert.equal((await errorOf(put)).code, 'UNAUTHENTICATED');
        assert.match(put.headers.get('www-authenticate') ?? '', /^Bearer/);
        const issue = await api.request('POST', '/registry/apps/nope/credentials', {
          headers,
          admin: false,
        });
        assert.equal(await status(issue), 401);
      }
      // A wrong token on a read is refused too, rather than served the public view.
      const read = await api.request('GET', '/registry/apps/nope', {
        headers: { authorization: 'Bearer not-the-admin' },
      });
      assert.equal(await status(read), 401);
      assert.equal(await api.publicApp('nope'), undefined);
    });

    it('never shows the backend, its secrets or credentials in the public views', async () => {
      await api.create(entryOf('private'));
      const { secret } = await api.issue('private');
      const texts = [
        await (await api.request('GET', '/registry/apps', { admin: false })).text(),
        await (await api.request('GET', '/registry/apps/private', { admin: false })).text(),
      ];
      for (const text of texts) {
        for (const leak of ['backend', '127.0.0.1:9', 'secret-path', 'whsec_', 'mcapp_', secret]) {
          assert.ok(!text.includes(leak), `public view shows ${leak}: ${text}`);
        }
      }
      const view = (await api.publicApp('private'))!;
      assert.deepEqual(Object.keys(view).sort(), ['etag', 'health', 'manifest', 'version']);
      assert.equal(view.health, 'unknown');
      const listed = (await api.list()).apps.find(
        (app) => (app.manifest as { id: string }).id === 'private',
      );
      assert.deepEqual(listed, view);
    });

    it('answers CORS for the host origins on public reads only', async () => {
      await api.create(entryOf('cors'));
      const allowed = await api.request('GET', '/registry/apps', {
        admin: false,
        headers: { origin: HOST_ORIGIN },
      });
      assert.equal(allowed.headers.get('access-control-allow-origin'), HOST_ORIGIN);
      assert.match(allowed.headers.get('access-control-expose-headers') ?? '', /etag/i);
      const one = await api.request('GET', '/registry/apps/cors', {
        admin: false,
        headers: { origin: HOST_ORIGIN },
      });
      assert.equal(one.headers.get('access-control-allow-origin'), HOST_ORIGIN);
      const other = await api.request('GET', '/registry/apps', {
        admin: false,
        headers: { origin: 'https://evil.example' },
      });
      assert.equal(other.headers.get('access-control-allow-origin'), null);
      const preflight = await api.request('OPTIONS', '/registry/apps/cors', {
        admin: false,
        headers: {
          origin: HOST_ORIGIN,
          'access-control-request-method': 'PUT',
          'access-control-request-headers': 'authorization',
        },
      });
      assert.equal(preflight.status, 204);
      assert.equal(preflight.headers.get('access-control-allow-methods'), 'GET');
      assert.equal(preflight.headers.get('access-control-allow-headers'), null);
      const write = await api.request('PUT', '/registry/apps/cors', {
        body: entryOf('cors'),
        headers: { origin: HOST_ORIGIN, 'if-match': '"1"' },
      });
      assert.equal(write.headers.get('access-control-allow-origin'), null);
      await write.body?.cancel();
      for (const res of [allowed, one, other]) await res.body?.cancel();
    });

    it('issues app credentials once, verifies them, and revokes them', async () => {
      await api.create(entryOf('creds'));
      await api.create(entryOf('other'));
      const first = await api.issue('creds');
      const second = await api.issue('creds');
      assert.match(first.secret, /^mcapp_creds_[A-Za-z0-9_-]{43}$/);
      assert.notEqual(first.secret, second.secret);
      const authenticate = server.registry.authenticate;
      assert.equal(await authenticate(`Bearer ${first.secret}`), 'creds');
      assert.equal(await authenticate(`Bearer ${second.secret}`), 'creds');

      // Stored only as a hash: no record holds the secret.
      for (const key of await server.engine.records.list('registry')) {
        const value = (await server.engine.records.get(key))?.value ?? '';
        assert.ok(!value.includes(first.secret.slice(12)), `record ${key} holds the secret`);
      }
      const listed = await api.request('GET', '/registry/apps/creds/credentials');
      const ids = ((await listed.json()) as { credentials: Array<{ id: string }> }).credentials;
      assert.deepEqual(ids.map((c) => c.id).sort(), [first.id, second.id].sort());

      const unauthenticated = (error: unknown) =>
        error instanceof McError && error.code === 'UNAUTHENTICATED';
      const forged = [
        undefined,
        '',
        first.secret,
        `Bearer ${first.secret}x`,
        // One character changed (not a no-op when it already was that character).
        `Bearer ${first.secret.slice(0, -1)}${first.secret.endsWith('A') ? 'B' : 'A'}`,
        `Bearer ${first.secret.replace('mcapp_creds_', 'mcapp_other_')}`,
        `Bearer mcapp_nosuchapp_${'A'.repeat(43)}`,
        `Bearer ${ADMIN}`,
      ];
      for (const header of forged) {
        await assert.rejects(authenticate(header), unauthenticated, String(header));
      }

      const revoked = await api.request('DELETE', `/registry/apps/creds/credentials/${first.id}`);
      assert.equal(await status(revoked), 204);
      await assert.rejects(authenticate(`Bearer ${first.secret}`), unauthenticated);
      assert.equal(await authenticate(`Bearer ${second.secret}`), 'creds');
      const again = await api.request('DELETE', `/registry/apps/creds/credentials/${first.id}`);
      assert.equal(await status(again), 404);
      const unknown = await api.request('POST', '/registry/apps/nosuchapp/credentials');
      assert.equal(await status(unknown), 404);

      // Deleting the app revokes its credentials.
      const etag = (await api.request('GET', '/registry/apps/creds')).headers.get('etag')!;
      const removed = await api.request('DELETE', '/registry/apps/creds', {
        headers: { 'if-match': etag },
      });
      assert.equal(removed.status, 204, await removed.text());
      await assert.rejects(authenticate(`Bearer ${second.secret}`), unauthenticated);
    });

    it('a leftover credential of a deleted app authenticates nothing, nor for a new app of its id', async () => {
      await api.create(entryOf('reborn'));
      const { secret } = await api.issue('reborn');
      assert.equal(await server.registry.authenticate(`Bearer ${secret}`), 'reborn');
      // As if the delete's revocation had failed: the entry goes, the credential stays.
      const entry = await server.engine.records.get('registry.apps.reborn');
      await server.engine.records.delete('registry.apps.reborn', entry!.version);
      await server.registry.registry.announce({ id: 'reborn', kind: 'entry', etag: null });
      const refused = (error: unknown) =>
        error instanceof McError && error.code === 'UNAUTHENTICATED';
      await assert.rejects(server.registry.authenticate(`Bearer ${secret}`), refused);
      await api.create(entryOf('reborn'));
      await assert.rejects(server.registry.authenticate(`Bearer ${secret}`), refused);
      assert.deepEqual(await server.engine.records.list('registry.creds.reborn'), []);
    });

    it("takes a heartbeat only with the app's own credential", async () => {
      await api.create(entryOf('beater'));
      await api.create(entryOf('bystander'));
      const mine = await api.issue('beater');
      const theirs = await api.issue('bystander');
      const foreign = await api.heartbeat('beater', theirs.secret);
      assert.equal(foreign.status, 403);
      assert.equal((await errorOf(foreign)).code, 'NOT_PERMITTED');
      assert.equal(await status(await api.heartbeat('beater', ADMIN)), 401);
      assert.equal(await status(await api.heartbeat('beater', 'mcapp_beater_forged')), 401);
      assert.equal((await api.publicApp('beater'))?.health, 'unknown');
      assert.equal(await status(await api.heartbeat('beater', mine.secret)), 200);
      assert.equal((await api.publicApp('beater'))?.health, 'healthy');
      assert.equal((await api.publicApp('bystander'))?.health, 'unknown');
    });
  });
}

describe('registry without an admin token', () => {
  const fixture = new EngineFixture('embedded');
  after(() => fixture.cleanup());

  it('refuses every write with 403 and says how to turn writes on', async () => {
    const server = await startRegistryServer(await fixture.open(), { adminToken: undefined });
    try {
      const api = new RegistryApi(server);
      const res = await api.request('PUT', '/registry/apps/x', {
        body: entryOf('x'),
        headers: { 'if-none-match': '*' },
      });
      assert.equal(res.status, 403);
      assert.match((await errorOf(res)).message, /MC_ADMIN_TOKEN/);
      assert.equal(await status(await api.request('POST', '/registry/apps/x/credentials')), 403);
      assert.deepEqual(await api.list(), { apps: [] });
    } finally {
      await server.close();
    }
  });

  it('caps the event streams per process: 503 beyond, a slot freed when one closes', async () => {
    const server = await startRegistryServer(await fixture.open(), { maxRegistryStreams: 2 });
    try {
      const one = await EventStream.open(server.url);
      const two = await EventStream.open(server.url);
      const third = await fetch(`${server.url}/registry/events`);
      assert.equal(third.status, 503);
      assert.equal(
        ((await third.json()) as { error: { code: string } }).error.code,
        'SERVICE_BUSY',
      );
      one.close();
      await eventually('a stream slot to free', async () => {
        const res = await fetch(`${server.url}/registry/events`, { method: 'HEAD' });
        return (
          res.status === 200 &&
          (await EventStream.open(server.url).then(
            (s) => (s.close(), true),
            () => undefined,
          ))
        );
      });
      two.close();
    } finally {
      await server.close();
    }
  });

  it('refuses an admin token shorter than 32 characters', async () => {
    await assert.rejects(
      startRegistryServer(await fixture.open(), { adminToken: 'short' }),
      (error: unknown) => error instanceof McError && error.code === 'INVALID_ARGUMENT',
    );
  });
});
