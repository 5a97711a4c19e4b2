import assert from 'node:assert/strict';
import { randomBytes, createHash } from 'node:crypto';
import { request, type IncomingMessage } from 'node:http';
import { after, before, describe, it } from 'node:test';

import type { McServer } from '../../server/server.ts';
import {
  appEntry,
  type Backend,
  identityToken,
  startBackend,
  startGatewayServer,
} from './helpers/gateway.ts';
import { freePort } from './helpers/processes.ts';

const MiB = 1024 * 1024;

interface Echo {
  bytes: number;
  sha256: string;
}

/** A POST whose body is written by `write` (chunked unless a content-length is given). */
function post(
  url: string,
  token: string,
  write: (req: ReturnType<typeof request>, response: Promise<IncomingMessage>) => Promise<void>,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: IncomingMessage['headers']; body: string }> {
  const { hostname, port, pathname } = new URL(url);
  return new Promise((resolve, reject) => {
    let settle: (res: IncomingMessage) => void;
    const response = new Promise<IncomingMessage>((r) => (settle = r));
    const req = request(
      {
        hostname,
        port,
        path: pathname,
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, ...headers },
      },
      (res) => {
        settle(res);
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    write(req, response).catch(reject);
  });
}

describe('Gateway: limits, faults and streaming', { timeout: 60_000 }, () => {
  let backend: Backend;
  let gw: McServer;
  const token = (app: string, user = 'ann') => identityToken(gw, app, user);

  before(async () => {
    backend = await startBackend();
    const endpoints = [
      { path: '/echo' },
      { path: '/upload', methods: ['POST' as const] },
      { path: '/stream' },
      { path: '/hang' },
    ];
    gw = await startGatewayServer(
      [
        appEntry('todo', `${backend.url}/v1`, endpoints),
        appEntry('down', `http://127.0.0.1:${await freePort()}/v1`, endpoints),
      ],
      {
        gatewayAllow: ['127.0.0.0/8'],
        gateway: {
          maxBodyBytes: 12 * MiB,
          headersTimeoutMs: 60_000,
          requestTimeoutMs: 1_500,
          userRate: { perSec: 1, burst: 3 },
          appRate: { perSec: 1000, burst: 1000 },
          assertionReuseMs: 10_000,
        },
      },
    );
  });
  after(async () => {
    await gw?.close();
    await backend?.close();
  });

  it('streams a multi-MiB chunked upload through before it ends, intact', async () => {
    const body = randomBytes(8 * MiB);
    const seen = backend.child.lines.length;
    const res = await post(`${gw.url}/api/todo/upload`, await token('todo', 'up'), async (req) => {
      req.write(body.subarray(0, MiB));
      // The backend has bytes while the client still holds 7 MiB back: nothing buffered it whole.
      await backend.child.line(
        (l) => l.startsWith('received ') && backend.child.lines.indexOf(l) >= seen,
      );
      for (let at = MiB; at < body.length; at += MiB) req.write(body.subarray(at, at + MiB));
      req.end();
    });
    assert.equal(res.status, 200);
    const echo = JSON.parse(res.body) as Echo;
    assert.equal(echo.bytes, body.length);
    assert.equal(echo.sha256, createHash('sha256').update(body).digest('hex'));
  });

  it('streams a slow chunked answer: the first chunk arrives before the backend writes the rest', async () => {
    const res = await fetch(`${gw.url}/api/todo/stream`, {
      headers: { authorization: `Bearer ${await token('todo', 'down1')}` },
    });
    assert.equal(res.status, 200);
    const reader = res.body!.getReader();
    const first = await reader.read();
    assert.equal(new TextDecoder().decode(first.value), 'first\n');
    await (await fetch(`${backend.url}/release`)).text();
    let rest = '';
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      rest += new TextDecoder().decode(chunk.value);
    }
    assert.equal(rest, 'second\n');
  });

  it('answers 413 for a declared length over the limit, without calling the backend', async () => {
    const seen = backend.child.lines.length;
    const res = await post(
      `${gw.url}/api/todo/upload`,
      await token('todo', 'big1'),
      async (req) => {
        req.on('error', () => {}); // the gateway may close before the body is all sent
        req.end(Buffer.alloc(13 * MiB));
      },
      { 'content-length': String(13 * MiB) },
    );
    assert.equal(res.status, 413);
    assert.equal(
      (JSON.parse(res.body) as { error: { code: string } }).error.code,
      'PAYLOAD_TOO_LARGE',
    );
    assert.ok(!backend.child.lines.slice(seen).some((l) => l.includes('/upload')));
  });

  it('answers 413 for a chunked body that crosses the limit mid-stream', async () => {
    const res = await post(
      `${gw.url}/api/todo/upload`,
      await token('todo', 'big2'),
      async (req, response) => {
        req.on('error', () => {});
        let answered = false;
        void response.then(() => (answered = true));
        const chunk = Buffer.alloc(MiB);
        for (let i = 0; i < 20 && !answered; i++) {
          if (!req.write(chunk)) await new Promise((r) => setTimeout(r, 20));
        }
        req.end();
      },
    );
    assert.equal(res.status, 413);
    // The forwarded upload was cut too, not left open on the backend.
    await backend.child.line((l) => l.startsWith('aborted after'));
  });

  it("answers 429 with Retry-After past a user's burst; other users go on", async () => {
    const t = await token('todo', 'flood');
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${gw.url}/api/todo/echo`, {
        headers: { authorization: `Bearer ${t}` },
      });
      statuses.push(res.status);
      if (res.status === 429) {
        retryAfter = res.headers.get('retry-after');
        assert.equal(
          ((await res.json()) as { error: { code: string } }).error.code,
          'RATE_LIMITED',
        );
      } else await res.arrayBuffer();
    }
    assert.deepEqual(statuses.slice(0, 3), [200, 200, 200]);
    assert.ok(
      statuses.slice(3).every((s) => s === 429),
      statuses.join(),
    );
    assert.ok(Number(retryAfter) >= 1);
    const other = await fetch(`${gw.url}/api/todo/echo`, {
      headers: { authorization: `Bearer ${await token('todo', 'calm')}` },
    });
    assert.equal(other.status, 200);
    await other.arrayBuffer();
  });

  it('answers 504 for a backend that hangs, within the limit, and keeps serving others meanwhile', async () => {
    const started = performance.now();
    const hanging = Array.from({ length: 3 }, async (_, i) =>
      fetch(`${gw.url}/api/todo/hang`, {
        headers: { authorization: `Bearer ${await token('todo', `hang${i}`)}` },
      }),
    );
    const echo = await fetch(`${gw.url}/api/todo/echo`, {
      headers: { authorization: `Bearer ${await token('todo', 'meanwhile')}` },
    });
    assert.equal(echo.status, 200);
    await echo.arrayBuffer();
    for (const res of await Promise.all(hanging)) {
      assert.equal(res.status, 504);
      assert.equal(
        ((await res.json()) as { error: { code: string } }).error.code,
        'BACKEND_TIMEOUT',
      );
    }
    // requestTimeoutMs is 1.5 s; the default of a hung request would be minutes.
    assert.ok(performance.now() - started < 10_000);
  });

  it('reuses an assertion, when configured to, only for the same token, method and path', async () => {
    const assertionOf = async (t: string, path: string, method = 'GET') => {
      const res = await fetch(`${gw.url}/api/todo${path}`, {
        method,
        headers: { authorization: `Bearer ${t}` },
      });
      return ((await res.json()) as { headers: Record<string, string> }).headers[
        'x-microcanvas-assertion'
      ];
    };
    const t = await token('todo', 'reuse');
    const a = await assertionOf(t, '/echo/1');
    assert.equal(await assertionOf(t, '/echo/1'), a);
    assert.notEqual(await assertionOf(t, '/echo/2'), a);
    assert.notEqual(await assertionOf(await token('todo', 'reuse2'), '/echo/1'), a);
  });

  it('answers 502 when the backend is down', async () => {
    const res = await fetch(`${gw.url}/api/down/echo`, {
      headers: { authorization: `Bearer ${await token('down')}` },
    });
    assert.equal(res.status, 502);
    assert.equal(
      ((await res.json()) as { error: { code: string } }).error.code,
      'BACKEND_UNAVAILABLE',
    );
  });
});

describe('Gateway: the per-app rate limit', { timeout: 30_000 }, () => {
  it("answers 429 once an app's bucket is empty, whoever asks", async () => {
    const backend = await startBackend();
    const gw = await startGatewayServer(
      [appEntry('todo', `${backend.url}/v1`, [{ path: '/echo' }])],
      {
        gatewayAllow: ['127.0.0.0/8'],
        gateway: { appRate: { perSec: 0.5, burst: 2 } },
      },
    );
    try {
      const statuses: number[] = [];
      for (const user of ['a', 'b', 'c', 'd']) {
        const t = await identityToken(gw, 'todo', user);
        const res = await fetch(`${gw.url}/api/todo/echo`, {
          headers: { authorization: `Bearer ${t}` },
        });
        statuses.push(res.status);
        if (res.status === 429) assert.equal(res.headers.get('retry-after'), '2');
        await res.arrayBuffer();
      }
      assert.deepEqual(statuses, [200, 200, 429, 429]);
    } finally {
      await gw.close();
      await backend.close();
    }
  });
});
