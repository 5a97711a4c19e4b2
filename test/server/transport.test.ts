import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { SignJWT } from 'jose';
import { WebSocket } from 'ws';

import { SERVER_SUBPROTOCOL } from '../../sdk/protocol/index.ts';
import type { McServer } from '../../server/server.ts';
import { eventually } from './helpers/engines.ts';
import { createJwtAuthenticator, signToken } from '../../server/transport/index.ts';
import {
  deviceId,
  metric,
  ORIGIN,
  SECRET,
  startServer,
  TestClient,
  upgradeStatus,
} from './helpers/ws-client.ts';

describe('WebSocket transport: the upgrade', { timeout: 20_000 }, () => {
  let server: McServer;
  let authCalls = 0;
  before(async () => {
    const verify = createJwtAuthenticator(SECRET);
    server = await startServer({
      authenticate: (request) => {
        authCalls++;
        return verify(request);
      },
    });
  });
  after(() => server.close());

  it('refuses another Origin, or none, with 403 before looking at the token', async () => {
    assert.equal(await upgradeStatus(server, { origin: 'http://evil.test' }), 403);
    assert.equal(await upgradeStatus(server, { origin: null }), 403);
    assert.equal(await upgradeStatus(server, { origin: `${ORIGIN}:80` }), 403);
    assert.equal(authCalls, 0);
    assert.match(await metric(server, 'microcanvas_ws_refusals_total'), /code="HTTP_403"[^\n]* 3/);
  });

  it('refuses a missing, expired, wrongly signed or other-audience token with 401', async () => {
    const key = new TextEncoder().encode(SECRET);
    const otherAudience = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('ann')
      .setAudience('another-service')
      .setExpirationTime('5m')
      .sign(key);
    const noExpiry = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('ann')
      .setAudience('microcanvas')
      .sign(key);
    const tokens = [
      null,
      'not-a-jwt',
      await signToken(SECRET, 'ann', -10),
      await signToken('another-secret-another-secret-another-secret', 'ann'),
      otherAudience,
      noExpiry,
    ];
    for (const token of tokens) assert.equal(await upgradeStatus(server, { token }), 401);
    assert.equal(authCalls, tokens.length);
  });

  it('refuses without the subprotocol, with a bad device id, or on another path', async () => {
    const token = await signToken(SECRET, 'ann');
    assert.equal(await upgradeStatus(server, { protocols: [`auth.${token}`] }), 400);
    assert.equal(await upgradeStatus(server, { device: 'short' }), 400);
    assert.equal(await upgradeStatus(server, { device: 'has%20space12' }), 400);
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/other`, [SERVER_SUBPROTOCOL], {
      origin: ORIGIN,
    });
    const status = await new Promise<number>((resolve) => {
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.once('error', () => {});
    });
    assert.equal(status, 404);
  });

  it('accepts a host page with a valid token: welcome names user and device, never echoes the token', async () => {
    const device = deviceId();
    const client = await TestClient.open(server, { user: 'ann', device });
    assert.equal(client.ws.protocol, SERVER_SUBPROTOCOL);
    client.send({ t: 'ping', id: 7 });
    assert.deepEqual(await client.next((f) => f.t === 'pong'), { t: 'pong', id: 7 });
    assert.match(await metric(server, 'microcanvas_ws_connections'), /connections\{[^}]*\} 1/);
    client.close();
    await client.closed;
  });
});

describe('WebSocket transport: connections per user', { timeout: 20_000 }, () => {
  it('refuses a user over the cap with 429, and takes one again when one closes', async () => {
    const server = await startServer({ limits: { maxConnectionsPerUser: 2 } });
    try {
      const first = await TestClient.open(server, { user: 'ann' });
      await TestClient.open(server, { user: 'ann' });
      assert.equal(await upgradeStatus(server, { user: 'ann' }), 429);
      // Another user is not affected.
      (await TestClient.open(server, { user: 'bob' })).close();
      first.close();
      await first.closed;
      await eventually('a free place', async () =>
        (await metric(server, 'microcanvas_ws_connections')).endsWith(' 1') ? true : undefined,
      );
      (await TestClient.open(server, { user: 'ann' })).close();
    } finally {
      await server.close();
    }
  });
});

describe('WebSocket transport: hostile frames', { timeout: 20_000 }, () => {
  let server: McServer;
  before(async () => {
    server = await startServer({ limits: { ratePerSec: 20, burst: 40 } });
  });
  after(() => server.close());

  it('answers malformed, deep and oversized frames with typed errors, and stays open', async () => {
    const client = await TestClient.open(server);
    const bystander = await TestClient.open(server, { user: 'bob' });
    client.ws.send('not json');
    assert.equal((await client.next((f) => f.t === 'error')).code, 'MALFORMED_MESSAGE');
    client.ws.send(JSON.stringify({ t: 'join', id: 4, space: 'demo', extra: 1 }));
    assert.deepEqual(
      { ...(await client.next((f) => f.t === 'error')), message: '' },
      { t: 'error', id: 4, code: 'MALFORMED_MESSAGE', message: '' },
    );
    client.ws.send(`{"t":"ping","id":5,"x":${'['.repeat(20_000)}${']'.repeat(20_000)}}`);
    assert.equal((await client.next((f) => f.t === 'error')).code, 'MALFORMED_MESSAGE');
    client.ws.send(`{"t":"ping","id":6,"x":"${'a'.repeat(100_000)}"}`);
    assert.equal((await client.next((f) => f.t === 'error')).code, 'PAYLOAD_TOO_LARGE');
    client.ws.send(Buffer.from('{"t":"ping","id":1}'));
    assert.equal((await client.next((f) => f.t === 'error')).code, 'MALFORMED_MESSAGE');
    assert.deepEqual(await client.request({ t: 'ping' }), { t: 'pong', id: 1 });
    // Invalid UTF-8 in a text frame: ws closes the socket (1007) before anything is decoded.
    const garbler = await TestClient.open(server, { user: 'eve' });
    garbler.ws.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false });
    assert.equal(await garbler.closed, 1007);
    // Beyond 4× the frame bound the socket is closed unread (1009), the others unaffected.
    client.ws.send('x'.repeat(300_000));
    assert.equal(await client.closed, 1009);
    assert.equal((await bystander.request({ t: 'ping' })).t, 'pong');
    bystander.close();
  });

  it('drops frames over the rate with one RATE_LIMITED, then cuts a flood with gap', async () => {
    const flooder = await TestClient.open(server);
    const bystander = await TestClient.open(server, { user: 'bob' });
    for (let i = 0; i < 500; i++) flooder.send({ t: 'ping', id: i });
    const limited = await flooder.next((f) => f.t === 'error');
    assert.equal(limited.t === 'error' && limited.code, 'RATE_LIMITED');
    assert.deepEqual(await flooder.next((f) => f.t === 'gap'), { t: 'gap', reason: 'flood' });
    assert.equal(await flooder.closed, 1008);
    const pongs = flooder.frames.filter((f) => f.t === 'pong').length;
    assert.ok(pongs >= 40 && pongs < 100, `${pongs} pongs`);
    assert.equal((await bystander.request({ t: 'ping' })).t, 'pong');
    assert.match(await metric(server, 'microcanvas_ws_cuts_total'), /reason="flood"[^\n]* 1/);
    bystander.close();
  });
});

describe('WebSocket transport: heartbeats and dev tokens', { timeout: 20_000 }, () => {
  it('cuts a client that stops answering pings, keeps one that answers', async () => {
    // 300 ms: long enough for a busy test machine to answer in time, short for the test.
    const server = await startServer({ heartbeatMs: 300 });
    try {
      const silent = await TestClient.open(server, { autoPong: false });
      const alive = await TestClient.open(server, { user: 'bob' });
      assert.equal(await silent.closed, 1006);
      assert.equal(alive.closeCode, undefined);
      assert.equal((await alive.request({ t: 'ping' })).t, 'pong');
      alive.close();
    } finally {
      await server.close();
    }
  });

  it('cuts a connection when its token expires, with gap token-expired', async () => {
    const server = await startServer();
    try {
      // jose's exp is in whole seconds: this token has between 1 and 2 s left.
      const client = await TestClient.open(server, { token: await signToken(SECRET, 'ann', 2) });
      const lasting = await TestClient.open(server, { user: 'bob' }); // 10 minutes
      assert.deepEqual(await client.next((f) => f.t === 'gap', 5_000), {
        t: 'gap',
        reason: 'token-expired',
      });
      assert.equal(await client.closed, 1008);
      assert.equal((await lasting.request({ t: 'ping' })).t, 'pong');
      lasting.close();
    } finally {
      await server.close();
    }
  });

  it('has no /dev/token unless enabled; when enabled, only for host origins', async () => {
    const off = await startServer();
    try {
      const res = await fetch(`${off.url}/dev/token`, {
        method: 'POST',
        headers: { origin: ORIGIN },
        body: '{"user":"demo"}',
      });
      assert.equal(res.status, 404);
    } finally {
      await off.close();
    }
    const on = await startServer({ devTokens: true, authSecret: undefined });
    try {
      const post = (origin: string, body: string) =>
        fetch(`${on.url}/dev/token`, { method: 'POST', headers: { origin }, body });
      assert.equal((await post('http://evil.test', '{"user":"demo"}')).status, 403);
      assert.equal((await post(ORIGIN, '{"user":"no spaces"}')).status, 400);
      const preflight = await fetch(`${on.url}/dev/token`, {
        method: 'OPTIONS',
        headers: { origin: ORIGIN, 'access-control-request-method': 'POST' },
      });
      assert.equal(preflight.status, 204);
      assert.equal(preflight.headers.get('access-control-allow-origin'), ORIGIN);
      const res = await post(ORIGIN, '{"user":"demo"}');
      assert.equal(res.status, 200);
      const { token } = (await res.json()) as { token: string };
      const client = await TestClient.open(on, { token });
      client.close();
    } finally {
      await on.close();
    }
  });
});
