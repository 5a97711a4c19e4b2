import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';

import { McError } from '../../../sdk/protocol/errors.ts';
import { backoffDelay } from '../../../shell/remote/backoff.ts';
import { deviceId } from '../../../shell/remote/device-id.ts';
import { SendPacer } from '../../../shell/remote/send-pacer.ts';
import { ServerLink, type LinkState } from '../../../shell/remote/server-link.ts';
import { FakeServer, FakeSocket, WELCOME } from './fake-server.ts';
import { until } from './until.ts';

const links: ServerLink[] = [];
afterEach(() => {
  for (const link of links.splice(0)) link.stop();
});

/** A link whose sockets a test plays by hand; `sockets` lists them in order. */
function manual(options: Partial<ConstructorParameters<typeof ServerLink>[0]> = {}) {
  const sockets: FakeSocket[] = [];
  let tokens = 0;
  const link = new ServerLink({
    url: 'http://127.0.0.1:9/',
    device: 'device-1',
    getToken: () => `token-${++tokens}`,
    socket: (url, protocols) => {
      const socket = new FakeSocket(url, protocols);
      sockets.push(socket);
      return socket;
    },
    reconnectBaseMs: 1,
    reconnectMaxMs: 4,
    ...options,
  });
  links.push(link);
  const states: LinkState[] = [];
  link.onState((s) => states.push(s));
  return { link, sockets, states };
}

describe('ServerLink', () => {
  it('connects to /ws with the device and the token as subprotocols, online on welcome', async () => {
    const { link, sockets, states } = manual();
    link.start();
    await until(() => sockets.length === 1, 'a socket');
    const url = new URL(sockets[0]!.url);
    const secure = manual({ url: 'https://mc.example/base/' });
    secure.link.start();
    await until(() => secure.sockets.length === 1, 'a secure socket');
    assert.equal(new URL(secure.sockets[0]!.url).origin, 'wss://mc.example');
    assert.equal(url.protocol, 'ws:');
    assert.equal(url.pathname, '/ws');
    assert.equal(url.searchParams.get('device'), 'device-1');
    assert.deepEqual(sockets[0]!.protocols, ['microcanvas.1', 'auth.token-1']);
    assert.equal(link.state, 'connecting');
    sockets[0]!.deliver(WELCOME);
    await until(() => link.state === 'online', 'online');
    assert.deepEqual(states, ['connecting', 'online']);
    assert.equal(link.welcome?.user, 'demo');
  });

  it('matches replies to requests by id, and rejects an error reply with its code', async () => {
    const server = new FakeServer();
    server.members = new Set();
    const link = new ServerLink({
      url: 'https://x.test',
      getToken: () => 't',
      socket: server.factory('eve'),
    });
    links.push(link);
    link.start();
    await until(() => link.state === 'online', 'online');
    const [pong, join] = await Promise.allSettled([
      link.request({ t: 'ping' }),
      link.request({ t: 'join', space: 'demo' }),
    ]);
    assert.equal(pong.status === 'fulfilled' && pong.value.t, 'pong');
    assert.ok(join.status === 'rejected' && join.reason instanceof McError);
    assert.equal((join.reason as McError).code, 'NOT_FOUND');
  });

  it('drops and counts invalid frames without throwing, and stays online', async () => {
    const errors: McError[] = [];
    const { link, sockets } = manual({ onError: (e) => errors.push(e) });
    link.start();
    await until(() => sockets.length === 1, 'a socket');
    sockets[0]!.deliver(WELCOME);
    await until(() => link.state === 'online', 'online');
    const pushes: unknown[] = [];
    link.onFrame((f) => pushes.push(f));
    for (const bad of [
      'not json',
      '{"t":"changed"}',
      '[[[[',
      '{"t":"nope"}',
      'x'.repeat(5_000_000),
    ]) {
      sockets[0]!.deliver(bad);
    }
    sockets[0]!.deliver({
      t: 'lost',
      space: 's',
      slot: 'a',
      fields: ['x'],
      by: { user: 'u', device: 'd' },
    });
    await until(() => pushes.length === 1, 'the valid push');
    assert.equal(link.dropped, 5);
    assert.deepEqual(
      errors.map((e) => e.code),
      [
        'MALFORMED_MESSAGE',
        'MALFORMED_MESSAGE',
        'MALFORMED_MESSAGE',
        'MALFORMED_MESSAGE',
        'PAYLOAD_TOO_LARGE',
      ],
    );
    assert.equal(link.state, 'online');
  });

  it('rejects a request with CALL_TIMEOUT after its deadline', async () => {
    const { link, sockets } = manual({ requestTimeoutMs: 20 });
    link.start();
    await until(() => sockets.length === 1, 'a socket');
    sockets[0]!.deliver(WELCOME);
    await until(() => link.state === 'online', 'online');
    await assert.rejects(link.request({ t: 'ping' }), { code: 'CALL_TIMEOUT' });
  });

  it('reconnects after a drop with a new token; pending requests reject with APP_DISCONNECTED', async () => {
    const { link, sockets, states } = manual();
    link.start();
    await until(() => sockets.length === 1, 'a socket');
    sockets[0]!.deliver(WELCOME);
    await until(() => link.state === 'online', 'online');
    const pending = link.request({ t: 'ping' });
    sockets[0]!.end(1006);
    await assert.rejects(pending, { code: 'APP_DISCONNECTED' });
    await until(() => sockets.length === 2, 'a second socket');
    assert.deepEqual(sockets[1]!.protocols, ['microcanvas.1', 'auth.token-2']);
    sockets[1]!.deliver(WELCOME);
    await until(() => link.state === 'online', 'online again');
    assert.deepEqual(states, ['connecting', 'online', 'offline', 'connecting', 'online']);
  });

  it('is refused, and stops retrying, when the server refuses the user before closing', async () => {
    const { link, sockets } = manual();
    link.start();
    await until(() => sockets.length === 1, 'a socket');
    sockets[0]!.deliver({ t: 'error', code: 'UNAUTHENTICATED', message: 'token expired' });
    sockets[0]!.end(1008);
    await until(() => link.state === 'refused', 'refused');
    assert.equal(link.error?.code, 'UNAUTHENTICATED');
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.equal(sockets.length, 1, 'no retry');
  });

  it('drops a connection that stays silent for two heartbeats, then reconnects', async () => {
    // 200 ms, not 10: the link judges silence by the clock, so a first tick that a loaded
    // machine delays past 2.5 heartbeats drops the socket before any ping (seen once, 10 ms,
    // beside the server tests in a clean-clone run).
    const { link, sockets } = manual({ heartbeatMs: 200 });
    link.start();
    await until(() => sockets.length === 1, 'a socket');
    sockets[0]!.deliver(WELCOME);
    await until(() => link.state === 'online', 'online');
    await until(() => sockets[0]!.sent.some((s) => s.includes('"ping"')), 'a ping');
    await until(() => sockets[0]!.closed !== undefined, 'the silent socket is closed');
    await until(() => sockets.length >= 2, 'a new socket');
  });

  it('gives up on a socket that sends no welcome within the deadline', async () => {
    const { link, sockets } = manual({ connectTimeoutMs: 10 });
    link.start();
    await until(() => sockets.length >= 2, 'a retry');
    assert.ok(sockets[0]!.closed);
    assert.notEqual(link.state, 'online');
  });
});

describe('backoffDelay', () => {
  it('doubles from the base up to the cap, with jitter over the upper half', () => {
    assert.equal(
      backoffDelay(0, 500, 30_000, () => 0),
      250,
    );
    assert.equal(
      backoffDelay(0, 500, 30_000, () => 1),
      500,
    );
    assert.equal(
      backoffDelay(3, 500, 30_000, () => 1),
      4000,
    );
    assert.equal(
      backoffDelay(20, 500, 30_000, () => 1),
      30_000,
    );
    assert.equal(
      backoffDelay(20, 500, 30_000, () => 0),
      15_000,
    );
  });
});

describe('deviceId', () => {
  it('is made once per storage and kept; a bad stored value is replaced', () => {
    const data = new Map<string, string>();
    const storage = {
      getItem: (k: string) => data.get(k) ?? null,
      setItem: (k: string, v: string) => void data.set(k, v),
    };
    const first = deviceId(storage);
    assert.match(first, /^[A-Za-z0-9_-]{22}$/);
    assert.equal(deviceId(storage), first);
    data.set('microcanvas.device', '<script>');
    assert.notEqual(deviceId(storage), '<script>');
    assert.match(deviceId(undefined), /^[A-Za-z0-9_-]{22}$/);
  });
});

describe('SendPacer', () => {
  it('sends at most the rate at once, then the rest in order as tokens refill', async () => {
    let now = 0;
    const sent: string[] = [];
    const pacer = new SendPacer(
      (text) => sent.push(text),
      4,
      () => now,
    );
    try {
      for (let i = 0; i < 7; i++) pacer.push(String(i));
      assert.deepEqual(sent, ['0', '1', '2', '3']);
      assert.equal(pacer.queued, 3);
      now = 500; // two tokens refilled
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.deepEqual(sent, ['0', '1', '2', '3', '4', '5']);
      now = 10_000; // the bucket refills to its size, no further
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(sent.length, 7);
      now = 20_000;
      for (let i = 7; i < 20; i++) pacer.push(String(i));
      assert.equal(sent.length, 11, 'four at once after a quiet spell, not more');
    } finally {
      // Its timer waits on the fake clock: cleared whatever happens.
      pacer.clear();
    }
    assert.equal(pacer.queued, 0);
  });

  it('a link keeps under the rate its server announced', async () => {
    const { link, sockets } = manual();
    link.start();
    await until(() => sockets.length === 1, 'a socket');
    sockets[0]!.deliver({ ...WELCOME, limits: { maxFrameBytes: 65536, ratePerSec: 3 } });
    await until(() => link.state === 'online', 'online');
    const replies = Array.from({ length: 5 }, () => link.request({ t: 'ping' }));
    assert.equal(sockets[0]!.sent.length, 3);
    // A token every 333 ms.
    for (let i = 0; i < 40 && sockets[0]!.sent.length < 5; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.equal(sockets[0]!.sent.length, 5, 'the rest, a token at a time');
    for (const text of sockets[0]!.sent) {
      sockets[0]!.deliver({ t: 'pong', id: (JSON.parse(text) as { id: number }).id });
    }
    assert.equal((await Promise.all(replies)).length, 5);
  });
});
