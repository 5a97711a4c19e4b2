import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';

import {
  createLocalJWKSet,
  decodeProtectedHeader,
  generateKeyPair,
  jwtVerify,
  SignJWT,
} from 'jose';

import type { McServer } from '../../server/server.ts';
import { ASSERTION_TOKEN_TYPE, IDENTITY_TOKEN_TYPE, JWKS_PATH } from '../../server/tokens/index.ts';
import {
  appEntry,
  type Backend,
  HOST_ORIGIN,
  identityToken,
  metricsText,
  signedAs,
  startBackend,
  startGatewayServer,
} from './helpers/gateway.ts';

interface Echo {
  method: string;
  url: string;
  headers: Record<string, string>;
  bytes: number;
  sha256: string;
}

describe('Gateway: identity, headers and CORS', { timeout: 30_000 }, () => {
  let backend: Backend;
  let gw: McServer;
  const token = (app: string, user = 'ann') => identityToken(gw, app, user);

  before(async () => {
    backend = await startBackend();
    gw = await startGatewayServer(
      [
        appEntry(
          'todo',
          `${backend.url}/v1/`,
          [{ path: '/echo', methods: ['GET', 'POST', 'DELETE'] }, { path: '/cookie' }],
          ['items:read'],
        ),
        appEntry('chat', `${backend.url}/v1`, [{ path: '/echo' }]),
      ],
      { gatewayAllow: ['127.0.0.0/8'] },
    );
  });
  after(async () => {
    await gw?.close();
    await backend?.close();
  });

  it('forwards with the identity headers and a verifiable assertion; strips cookie and authorization', async () => {
    const res = await fetch(`${gw.url}/api/todo/echo/a%20b/c?x=1&y=2`, {
      headers: {
        authorization: `Bearer ${await token('todo')}`,
        cookie: 'session=secret',
        'x-user-id': 'mallory',
        'X-MicroApp-Id': 'chat',
        'x-microcanvas-space': 'other',
        'x-microcanvas-assertion': 'forged',
        'x-forwarded-for': '10.0.0.1',
        'x-custom': 'kept',
      },
    });
    assert.equal(res.status, 200);
    const echo = (await res.json()) as Echo;
    assert.equal(echo.url, '/v1/echo/a%20b/c?x=1&y=2');
    const h = echo.headers;
    assert.equal(h['x-user-id'], 'ann');
    assert.equal(h['x-microapp-id'], 'todo');
    assert.equal(h['x-microcanvas-space'], 'team');
    assert.equal(h['x-forwarded-for'], '127.0.0.1');
    assert.equal(h['x-forwarded-proto'], 'http');
    assert.equal(h['x-custom'], 'kept');
    assert.equal(h.cookie, undefined);
    assert.equal(h.authorization, undefined);
    // The backend checks the assertion with the JWKS alone, as any JWT library would.
    const assertion = h['x-microcanvas-assertion']!;
    const jwks = (await (await fetch(`${gw.url}${JWKS_PATH}`)).json()) as Parameters<
      typeof createLocalJWKSet
    >[0];
    const { payload } = await jwtVerify(assertion, createLocalJWKSet(jwks), {
      audience: 'todo',
      issuer: gw.url,
      typ: ASSERTION_TOKEN_TYPE,
      algorithms: ['ES256'],
    });
    assert.equal(payload.sub, 'ann');
    assert.equal(payload.space, 'team');
    assert.equal(payload.slot, 's1');
    assert.deepEqual(payload.scopes, ['items:read']);
    assert.equal(payload.htm, 'GET');
    assert.equal(payload.htu, '/v1/echo/a%20b/c');
    assert.ok(payload.exp! - payload.iat! <= 30);
    assert.equal(decodeProtectedHeader(assertion).typ, 'mc-assert+jwt');
  });

  it('drops hop-by-hop headers, those the Connection header names included', async () => {
    const t = await token('todo');
    const { hostname, port } = new URL(gw.url);
    const echo = await new Promise<Echo>((resolve, reject) => {
      const req = request(
        {
          hostname,
          port,
          path: '/api/todo/echo',
          headers: {
            authorization: `Bearer ${t}`,
            connection: 'keep-alive, x-hop',
            'x-hop': 'must not pass',
            'keep-alive': 'timeout=5',
            te: 'trailers',
            'proxy-authorization': 'Basic eDp5',
            forwarded: 'for=10.0.0.1',
            'x-real-ip': '10.0.0.1',
          },
        },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (body += chunk));
          res.on('end', () => resolve(JSON.parse(body) as Echo));
        },
      );
      req.on('error', reject);
      req.end();
    });
    for (const name of [
      'x-hop',
      'keep-alive',
      'te',
      'proxy-authorization',
      'forwarded',
      'x-real-ip',
    ]) {
      assert.equal(echo.headers[name], undefined, name);
    }
    assert.equal(echo.headers['x-user-id'], 'ann');
  });

  it("strips Set-Cookie, the backend's own CORS headers and origin-wide headers from the answer, and sandboxes it", async () => {
    const res = await fetch(`${gw.url}/api/todo/cookie`, {
      headers: { authorization: `Bearer ${await token('todo')}`, origin: 'null' },
    });
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'cookie');
    assert.equal(res.headers.get('set-cookie'), null);
    assert.equal(res.headers.get('access-control-allow-origin'), 'null');
    assert.equal(res.headers.get('access-control-allow-credentials'), null);
    for (const name of [
      'strict-transport-security',
      'clear-site-data',
      'alt-svc',
      'service-worker-allowed',
    ]) {
      assert.equal(res.headers.get(name), null, name);
    }
    // An HTML answer opened as a page on the server's origin runs no script there.
    assert.equal(res.headers.get('content-security-policy'), 'sandbox');
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
  });

  it('refuses a missing, malformed, expired, tampered or foreign-signed token with 401', async () => {
    const good = await token('todo');
    const [h, p, s] = good.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...claims, sub: 'root' })).toString('base64url')}.${s}`;
    const jwks = (await (await fetch(`${gw.url}${JWKS_PATH}`)).json()) as {
      keys: Array<{ kid: string }>;
    };
    const claimsOf = { sub: 'ann', space: 'team', slot: 's1', scopes: [], jti: 'x' };
    // Another key claiming the server's key id.
    const { privateKey } = await generateKeyPair('ES256');
    const foreign = await new SignJWT(claimsOf)
      .setProtectedHeader({ alg: 'ES256', typ: IDENTITY_TOKEN_TYPE, kid: jwks.keys[0]!.kid })
      .setIssuer(gw.url)
      .setAudience('todo')
      .setIssuedAt()
      .setExpirationTime('1m')
      .sign(privateKey);
    const unsigned = [
      Buffer.from(JSON.stringify({ alg: 'none', typ: IDENTITY_TOKEN_TYPE })).toString('base64url'),
      Buffer.from(JSON.stringify({ ...claims, alg: undefined })).toString('base64url'),
      '',
    ].join('.');
    const wrongType = await signedAs(gw, claimsOf, {
      audience: 'todo',
      type: ASSERTION_TOKEN_TYPE,
    });
    const expired = await signedAs(gw, claimsOf, { audience: 'todo', skewMs: 120_000 });
    const cases: Array<[string, string | undefined]> = [
      ['none', undefined],
      ['not a jwt', 'Bearer not-a-jwt'],
      ['basic', `Basic ${Buffer.from('a:b').toString('base64')}`],
      ['expired', `Bearer ${expired}`],
      ['tampered', `Bearer ${tampered}`],
      ['foreign key', `Bearer ${foreign}`],
      ['alg none', `Bearer ${unsigned}`],
      ['an assertion replayed as a token', `Bearer ${wrongType}`],
    ];
    for (const [name, authorization] of cases) {
      const res = await fetch(`${gw.url}/api/todo/echo`, {
        headers: authorization === undefined ? {} : { authorization },
      });
      assert.equal(res.status, 401, name);
      const body = (await res.json()) as { error: { code: string } };
      assert.equal(body.error.code, 'UNAUTHENTICATED', name);
    }
  });

  it('refuses a valid token of app A on /api/b/ with 403', async () => {
    const res = await fetch(`${gw.url}/api/chat/echo`, {
      headers: { authorization: `Bearer ${await token('todo')}` },
    });
    assert.equal(res.status, 403);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'NOT_PERMITTED');
  });

  it('lets a token be used again within its life (no single use of jti)', async () => {
    const t = await token('todo');
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${gw.url}/api/todo/echo`, {
        headers: { authorization: `Bearer ${t}` },
      });
      assert.equal(res.status, 200);
      await res.arrayBuffer();
    }
  });

  it('remembers a verified token no longer than the keys accept it', async () => {
    // exp 4 s ago: still inside the keys' 5 s tolerance, so accepted (and remembered) once.
    const t = await signedAs(
      gw,
      { sub: 'ann', space: 'team', slot: 's1', scopes: [] },
      { audience: 'todo', skewMs: 64_000 },
    );
    const exp = (
      JSON.parse(Buffer.from(t.split('.')[1]!, 'base64url').toString()) as { exp: number }
    ).exp;
    const call = () =>
      fetch(`${gw.url}/api/todo/echo`, { headers: { authorization: `Bearer ${t}` } });
    const first = await call();
    assert.equal(first.status, 200);
    await first.arrayBuffer();
    await new Promise((resolve) => setTimeout(resolve, (exp + 5) * 1000 - Date.now() + 200));
    const late = await call();
    assert.equal(late.status, 401);
    await late.arrayBuffer();
  });

  it('signs a fresh assertion, with its own jti, for every request by default', async () => {
    const t = await token('todo', 'fresh');
    const jtis = new Set<unknown>();
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${gw.url}/api/todo/echo/1`, {
        headers: { authorization: `Bearer ${t}` },
      });
      const assertion = ((await res.json()) as Echo).headers['x-microcanvas-assertion']!;
      jtis.add(JSON.parse(Buffer.from(assertion.split('.')[1]!, 'base64url').toString()).jti);
    }
    assert.equal(jtis.size, 3);
  });

  it('answers 404 outside the endpoints, 405 with Allow for another method', async () => {
    const authorization = `Bearer ${await token('todo')}`;
    const secret = await fetch(`${gw.url}/api/todo/secret`, { headers: { authorization } });
    assert.equal(secret.status, 404);
    const prefix = await fetch(`${gw.url}/api/todo/echoes`, { headers: { authorization } });
    assert.equal(prefix.status, 404);
    const unknown = await fetch(`${gw.url}/api/nope/echo`, { headers: { authorization } });
    assert.equal(unknown.status, 404);
    const put = await fetch(`${gw.url}/api/todo/echo`, {
      method: 'PUT',
      headers: { authorization },
    });
    assert.equal(put.status, 405);
    assert.equal(put.headers.get('allow'), 'GET, HEAD, POST, DELETE');
    assert.ok(!backend.child.lines.some((l) => l.includes('/secret') || l.includes('/echoes')));
  });

  it('answers CORS preflights for Origin null and the host origin only', async () => {
    const preflight = (origin: string) =>
      fetch(`${gw.url}/api/todo/echo/1`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization, content-type',
        },
      });
    for (const origin of ['null', HOST_ORIGIN]) {
      const res = await preflight(origin);
      assert.equal(res.status, 204, origin);
      assert.equal(res.headers.get('access-control-allow-origin'), origin);
      assert.equal(res.headers.get('access-control-allow-methods'), 'GET, HEAD, POST, DELETE');
      assert.equal(res.headers.get('access-control-allow-headers'), 'authorization, content-type');
      assert.equal(res.headers.get('access-control-allow-credentials'), null);
      assert.match(res.headers.get('vary') ?? '', /Origin/);
    }
    const evil = await preflight('https://evil.example');
    assert.equal(evil.status, 403);
    assert.equal(evil.headers.get('access-control-allow-origin'), null);
    // An actual request from another site gets no CORS grant either (its page cannot read it).
    const res = await fetch(`${gw.url}/api/todo/echo`, {
      headers: { authorization: `Bearer ${await token('todo')}`, origin: 'https://evil.example' },
    });
    assert.equal(res.headers.get('access-control-allow-origin'), null);
    await res.arrayBuffer();
  });

  it('counts requests by app and status', async () => {
    const text = await metricsText(gw);
    const count = (labels: string) =>
      new RegExp(`^microcanvas_gateway_requests_total\\{[^}]*${labels}[^}]*\\} (\\d+)$`, 'm').exec(
        text,
      )?.[1];
    assert.ok(Number(count('app="todo",status="200"')) > 5);
    assert.equal(count('app="todo",status="401"'), '9');
    assert.equal(count('app="chat",status="403"'), '1');
    assert.match(
      text,
      /microcanvas_gateway_upstream_duration_seconds_count\{[^}]*app="todo"[^}]*\} \d+/,
    );
    assert.doesNotMatch(text, /app="nope"/);
  });
});
