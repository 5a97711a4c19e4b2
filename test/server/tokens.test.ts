import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { after, before, describe, it } from 'node:test';

import { SignJWT } from 'jose';

import { createIdentityVerifier, createReplayGuard } from '../../server/backend/index.ts';
import type { McServer, ServerOptions } from '../../server/server.ts';
import { EngineKeySet, IDENTITY_RATE } from '../../server/tokens/index.ts';
import { parseConfig } from '../../server/config.ts';
import { EngineFixture, ENGINES } from './helpers/engines.ts';
import { ADMIN } from './helpers/registry.ts';
import { decode, mint, registerApps } from './helpers/tokens.ts';
import { metric, ORIGIN, startServer } from './helpers/ws-client.ts';

const WANT = { app: 'todo', space: 'team', slot: 'slot-1a2b' };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A token the server signed, changed so that its signature no longer matches. */
function tamper(token: string): string {
  const [header, payload, signature] = token.split('.') as [string, string, string];
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  claims.sub = 'mallory';
  return [header, Buffer.from(JSON.stringify(claims)).toString('base64url'), signature].join('.');
}

/** `alg: none`, with the header and claims of a real token. */
function unsigned(token: string): string {
  const { header, payload } = decode(token);
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ ...header, alg: 'none' })}.${part(payload)}.`;
}

/** HS256 with the server's PUBLIC key as the HMAC secret (the algorithm confusion attack). */
async function hmacWithPublicKey(server: McServer, token: string): Promise<string> {
  const { header, payload } = decode(token);
  const jwks = (await (await fetch(`${server.url}/.well-known/jwks.json`)).json()) as {
    keys: Array<Record<string, string>>;
  };
  const jwk = jwks.keys.find((key) => key.kid === header.kid)!;
  const pem = createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' });
  return new SignJWT(payload)
    .setProtectedHeader({ ...header, alg: 'HS256' })
    .sign(new TextEncoder().encode(String(pem)));
}

describe('identity tokens', { timeout: 60_000 }, () => {
  for (const kind of ENGINES) {
    describe(kind, () => {
      const fixture = new EngineFixture(kind);
      let server: McServer;
      const open = async (options: ServerOptions = {}) => {
        const started = await startServer({
          engine: await fixture.open(),
          adminToken: ADMIN,
          ...options,
        });
        await registerApps(started);
        await started.spaces.ensure('team', { members: ['ann'] });
        return started;
      };
      before(async () => {
        server = await open();
      });
      after(async () => {
        await server.close();
        await fixture.cleanup();
      });
      const verifierFor = (audience: string, at: McServer = server) =>
        createIdentityVerifier({
          jwksUrl: `${at.url}/.well-known/jwks.json`,
          audience,
          issuer: at.url,
        });

      it('mints a token that the backend helper verifies against the real JWKS', async () => {
        const answer = await mint(server, WANT);
        assert.equal(answer.status, 200);
        assert.equal(answer.headers.get('access-control-allow-origin'), ORIGIN);
        assert.equal(answer.headers.get('cache-control'), 'no-store');
        const token = answer.body.token!;
        const claims = await verifierFor('todo').verify(token);
        assert.deepEqual(
          [claims.iss, claims.aud, claims.sub, claims.space, claims.slot, claims.scopes],
          [server.url, 'todo', 'ann', 'team', 'slot-1a2b', ['items:read', 'items:write']],
        );
        assert.equal(claims.exp - claims.iat, 60);
        assert.equal(answer.body.expiresAt, claims.exp * 1000);
        assert.match(claims.jti, /^[0-9a-f-]{36}$/);
        const { header } = decode(token);
        assert.deepEqual([header.alg, header.typ], ['ES256', 'mc-id+jwt']);
        // Every token is another: a new jti each time.
        const again = await verifierFor('todo').verify((await mint(server, WANT)).body.token!);
        assert.notEqual(again.jti, claims.jti);
        assert.match(
          await metric(server, 'microcanvas_identity_tokens_total'),
          /result="issued"[^\n]* 2/,
        );
      });

      it("refuses a token for app A at app B's backend, and a tampered one", async () => {
        const token = (await mint(server, WANT)).body.token!;
        await assert.rejects(verifierFor('chat').verify(token), {
          name: 'McError',
          code: 'UNAUTHENTICATED',
        });
        const chat = (await mint(server, { ...WANT, app: 'chat' })).body.token!;
        assert.equal((await verifierFor('chat').verify(chat)).scopes.length, 0);
        await assert.rejects(verifierFor('todo').verify(chat), { code: 'UNAUTHENTICATED' });
        await assert.rejects(verifierFor('todo').verify(tamper(token)), {
          code: 'UNAUTHENTICATED',
        });
        await assert.rejects(
          server.keys.verify(tamper(token), { audience: 'todo', type: 'mc-id+jwt' }),
          {
            code: 'UNAUTHENTICATED',
          },
        );
        // Another issuer (a server elsewhere signing with its own keys) is refused too.
        const elsewhere = createIdentityVerifier({
          jwksUrl: `${server.url}/.well-known/jwks.json`,
          audience: 'todo',
          issuer: 'https://other.example',
        });
        await assert.rejects(elsewhere.verify(token), { code: 'UNAUTHENTICATED' });
      });

      it('refuses alg none, HS256 made with the public key, and another token type', async () => {
        const token = (await mint(server, WANT)).body.token!;
        const verifier = verifierFor('todo');
        for (const forged of [unsigned(token), await hmacWithPublicKey(server, token)]) {
          await assert.rejects(verifier.verify(forged), { code: 'UNAUTHENTICATED' });
          await assert.rejects(
            server.keys.verify(forged, { audience: 'todo', type: 'mc-id+jwt' }),
            {
              code: 'UNAUTHENTICATED',
            },
          );
        }
        // A gateway assertion signed with the same keys is no identity token.
        const assertion = await server.keys.sign(
          { sub: 'ann', space: 'team', slot: 'slot-1a2b', scopes: [] },
          { audience: 'todo', ttlS: 30, type: 'mc-assert+jwt' },
        );
        await assert.rejects(verifier.verify(assertion), { code: 'UNAUTHENTICATED' });
        const payload = await server.keys.verify(assertion, {
          audience: 'todo',
          type: 'mc-assert+jwt',
        });
        assert.equal(payload.sub, 'ann');
        await assert.rejects(
          server.keys.verify(assertion, { audience: 'todo', type: 'mc-id+jwt' }),
          {
            code: 'UNAUTHENTICATED',
          },
        );
      });

      it('refuses a space the user is not in exactly like a missing one, an unknown app, and one without the identity service', async () => {
        await server.spaces.ensure('others', { members: ['bob'] });
        const foreign = await mint(server, { ...WANT, space: 'others' });
        const missing = await mint(server, { ...WANT, space: 'nowhere' });
        assert.equal(foreign.status, 404);
        assert.deepEqual(foreign.body, missing.body);
        assert.equal(foreign.body.error?.code, 'NOT_FOUND');
        const unknown = await mint(server, { ...WANT, app: 'nosuchapp' });
        assert.deepEqual([unknown.status, unknown.body.error?.code], [404, 'UNKNOWN_APP']);
        // An app whose registry manifest does not list the identity service gets no token.
        const plain = await mint(server, { ...WANT, app: 'plain' });
        assert.deepEqual([plain.status, plain.body.error?.code], [403, 'NOT_PERMITTED']);
      });

      it('refuses without a valid user token, from another origin, and bad bodies', async () => {
        const none = await mint(server, WANT, { user: null });
        assert.deepEqual([none.status, none.body.error?.code], [401, 'UNAUTHENTICATED']);
        const bad = await mint(server, WANT, { token: 'not.a.token' });
        assert.equal(bad.status, 401);
        const elsewhere = await mint(server, WANT, { origin: 'http://evil.test' });
        assert.equal(elsewhere.status, 403);
        assert.equal(elsewhere.headers.get('access-control-allow-origin'), null);
        for (const body of [
          { ...WANT, slot: 'a b' },
          { ...WANT, app: 'Todo' },
          { ...WANT, extra: 1 },
          { app: 'todo', space: 'team' },
          '[1',
        ]) {
          const answer = await mint(server, body);
          assert.equal(answer.status, 400, JSON.stringify(body));
        }
      });

      it('answers the preflight of host origins only', async () => {
        const preflight = (origin: string) =>
          fetch(`${server.url}/tokens/identity`, {
            method: 'OPTIONS',
            headers: {
              origin,
              'access-control-request-method': 'POST',
              'access-control-request-headers': 'authorization, content-type',
            },
          });
        const ok = await preflight(ORIGIN);
        assert.equal(ok.status, 204);
        assert.equal(ok.headers.get('access-control-allow-origin'), ORIGIN);
        assert.match(ok.headers.get('access-control-allow-headers')!, /authorization/);
        const refused = await preflight('http://evil.test');
        assert.equal(refused.status, 403);
        assert.equal(refused.headers.get('access-control-allow-origin'), null);
      });

      it('serves the JWKS to anyone, cacheable, public keys only', async () => {
        const res = await fetch(`${server.url}/.well-known/jwks.json`, {
          headers: { origin: 'http://anyone.test' },
        });
        assert.equal(res.status, 200);
        assert.equal(res.headers.get('access-control-allow-origin'), '*');
        assert.match(res.headers.get('cache-control')!, /^public, max-age=\d+$/);
        const { keys } = (await res.json()) as { keys: Array<Record<string, unknown>> };
        assert.ok(keys.length >= 2);
        for (const key of keys) {
          assert.deepEqual(Object.keys(key).sort(), ['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
        }
      });

      it('limits minting per user (429 with Retry-After)', async () => {
        await server.spaces.addMembers('team', ['hasty']);
        // All at once, well over the burst: one after the other on a loaded machine, 40 took
        // 6 s, time enough for the bucket (5/s) to refill and limit none.
        const { burst } = IDENTITY_RATE;
        const answers = await Promise.all(
          Array.from({ length: burst * 2 + 20 }, () => mint(server, WANT, { user: 'hasty' })),
        );
        const limited = answers.filter((a) => a.status === 429);
        assert.ok(limited.length > 0, 'some requests are limited');
        assert.ok(answers.filter((a) => a.status === 200).length >= burst, 'the burst passes');
        assert.equal(limited[0]!.body.error?.code, 'RATE_LIMITED');
        assert.ok(Number(limited[0]!.headers.get('retry-after')) >= 1);
        // Another user is not held back by this one.
        assert.equal((await mint(server, WANT)).status, 200);
      });

      it('refuses an expired token', async () => {
        const short = await open({ identityTokenTtlS: 1 });
        try {
          const token = (await mint(short, WANT)).body.token!;
          const { exp, iat } = decode(token).payload as { exp: number; iat: number };
          assert.equal(exp - iat, 1);
          const verifier = (clockToleranceS: number) =>
            createIdentityVerifier({
              jwksUrl: `${short.url}/.well-known/jwks.json`,
              audience: 'todo',
              clockToleranceS,
            });
          // Valid now (with tolerance: iat is whole seconds, so a 1 s token may have only
          // milliseconds left by the time a loaded machine verifies it).
          assert.equal((await verifier(5).verify(token)).sub, 'ann');
          await sleep(exp * 1000 - Date.now() + 100);
          await assert.rejects(verifier(0).verify(token), {
            code: 'UNAUTHENTICATED',
            message: 'token expired',
          });
        } finally {
          await short.close();
        }
      });

      it('rotates: old tokens still verify, both keys are published, the old one goes after the grace period', async () => {
        const fast = await open({ maxTokenTtlS: 2, tokenClockSkewS: 0 });
        try {
          const jwks = async () =>
            (
              (await (await fetch(`${fast.url}/.well-known/jwks.json`)).json()) as {
                keys: Array<{ kid: string }>;
              }
            ).keys.map((key) => key.kid);
          const verifier = createIdentityVerifier({
            jwksUrl: `${fast.url}/.well-known/jwks.json`,
            audience: 'todo',
          });
          const before = (await mint(fast, WANT)).body.token!;
          await verifier.verify(before);
          const oldKid = decode(before).header.kid as string;
          const published = await jwks();
          await fast.keys.rotate();
          const afterRotation = (await mint(fast, WANT)).body.token!;
          const newKid = decode(afterRotation).header.kid as string;
          assert.notEqual(newKid, oldKid);
          // The new key was published before it signed: a verifier whose JWKS cache predates
          // the rotation knows it already.
          assert.ok(published.includes(newKid));
          assert.equal((await verifier.verify(afterRotation)).sub, 'ann');
          assert.equal((await verifier.verify(before)).sub, 'ann');
          const listed = await jwks();
          assert.ok(listed.includes(oldKid) && listed.includes(newKid));
          // Grace: 2 s of lifetime, 0 s of skew, 0.5 s of refresh.
          await sleep(2_700);
          assert.ok(!(await jwks()).includes(oldKid), 'the retired key is gone');
          assert.ok((await jwks()).includes(newKid));
        } finally {
          await fast.close();
        }
      });

      it('the replay guard accepts a token once', async () => {
        const guarded = createIdentityVerifier({
          jwksUrl: `${server.url}/.well-known/jwks.json`,
          audience: 'todo',
          replayGuard: createReplayGuard(),
        });
        const token = (await mint(server, WANT)).body.token!;
        await guarded.verify(token);
        await assert.rejects(guarded.verify(token), {
          code: 'UNAUTHENTICATED',
          message: 'token already used',
        });
        await guarded.verify((await mint(server, WANT)).body.token!);
      });
    });
  }

  for (const kind of ENGINES.filter((name) => name !== 'embedded')) {
    describe(`${kind}, two processes`, () => {
      const fixture = new EngineFixture(kind);
      after(() => fixture.cleanup());

      it('sign with the same key, verify each other, and rotate at once without losing a key', async () => {
        const issuer = 'https://canvas.example';
        const start = async () =>
          startServer({ engine: await fixture.open(), adminToken: ADMIN, issuer });
        // Started together: both create the first ring at once, one wins.
        const [a, b] = await Promise.all([start(), start()]);
        try {
          await a.spaces.create('team', { members: ['ann'] });
          await registerApps(a);
          const [fromA, fromB] = await Promise.all([mint(a, WANT), mint(b, WANT)]);
          const kid = (answer: { body: { token?: string } }) =>
            decode(answer.body.token!).header.kid;
          assert.equal(kid(fromA), kid(fromB));
          const onB = createIdentityVerifier({
            jwksUrl: `${b.url}/.well-known/jwks.json`,
            audience: 'todo',
            issuer,
          });
          await onB.verify(fromA.body.token!);
          // A rotates; B verifies A's new tokens at once (the key was published as the next).
          await a.keys.rotate();
          const rotated = (await mint(a, WANT)).body.token!;
          assert.notEqual(decode(rotated).header.kid, kid(fromA));
          assert.equal(
            (await b.keys.verify(rotated, { audience: 'todo', type: 'mc-id+jwt' })).sub,
            'ann',
          );
          // A process without the configured issuer (listening elsewhere) accepts them too:
          // the shared ring's signature is what counts.
          const plain = await startServer({ engine: await fixture.open(), adminToken: ADMIN });
          try {
            const payload = await plain.keys.verify(rotated, {
              audience: 'todo',
              type: 'mc-id+jwt',
            });
            assert.equal(payload.iss, issuer);
            // A process with an issuer configured checks it: the other's tokens name its address.
            const fromPlain = (await mint(plain, WANT)).body.token!;
            await assert.rejects(
              a.keys.verify(fromPlain, { audience: 'todo', type: 'mc-id+jwt' }),
              {
                code: 'UNAUTHENTICATED',
              },
            );
          } finally {
            await plain.close();
          }
          // Both rotate at the same moment: both rotations happen, every key stays published.
          await Promise.all([a.keys.rotate(), b.keys.rotate()]);
          // Read by a key set of its own (each process's cache may predate the other's write).
          const fresh = new EngineKeySet((await fixture.open()).records, { issuer });
          const { keys } = await fresh.jwks();
          assert.equal(keys.length, 5, 'three retired, the current one and the next one');
          assert.equal(new Set(keys.map((key) => key.kid)).size, 5);
          for (const token of [fromA.body.token!, rotated]) {
            assert.equal((await onB.verify(token)).sub, 'ann');
          }
        } finally {
          await Promise.all([a.close(), b.close()]);
        }
      });
    });
  }

  it('the CLI takes --issuer and --key-rotation (or MC_ISSUER, MC_KEY_ROTATION)', () => {
    const config = parseConfig(['--issuer', 'https://canvas.example', '--key-rotation', '1h'], {});
    assert.ok(!config.help);
    assert.deepEqual(
      [config.options.issuer, config.options.keyRotationMs],
      ['https://canvas.example', 3_600_000],
    );
    const env = parseConfig([], { MC_ISSUER: 'http://127.0.0.1:8787', MC_KEY_ROTATION: '7d' });
    assert.ok(!env.help && env.options.keyRotationMs === 7 * 864e5);
    assert.throws(() => parseConfig(['--issuer', 'ftp://x'], {}), { code: 'INVALID_ARGUMENT' });
  });
});
