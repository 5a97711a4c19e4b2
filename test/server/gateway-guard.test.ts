import assert from 'node:assert/strict';
import { lookup as dnsLookup } from 'node:dns';
import { request } from 'node:http';
import type { LookupFunction } from 'node:net';
import { after, before, describe, it } from 'node:test';

import { parseConfig } from '../../server/config.ts';
import { createGuardedAgent } from '../../server/gateway/guarded-agent.ts';
import { AddressGuard, parseCidr } from '../../server/gateway/index.ts';
import type { McServer } from '../../server/server.ts';
import {
  appEntry,
  type Backend,
  identityToken,
  startBackend,
  startGatewayServer,
} from './helpers/gateway.ts';

/** A request with the target sent exactly as written (fetch would normalise `..`). */
function rawGet(
  base: string,
  target: string,
  token: string,
): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request(
      { hostname, port, path: target, headers: { authorization: `Bearer ${token}` } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('AddressGuard', () => {
  it('refuses private, loopback, link-local, unique-local and embedded-IPv4 addresses', () => {
    const guard = new AddressGuard();
    for (const address of [
      '127.0.0.1',
      '127.1.2.3',
      '10.1.2.3',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '255.255.255.255',
      '224.0.0.1',
      '::1',
      '::',
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      '::ffff:10.0.0.1',
      '::ffff:169.254.169.254',
      '::127.0.0.1',
      '64:ff9b::a9fe:a9fe',
      '2002:7f00:1::1',
      'fc00::1',
      'fd12:3456::1',
      'fe80::1',
      'ff02::1',
      '[::1]',
      'localhost',
      'not an address',
    ]) {
      assert.equal(guard.allows(address), false, address);
    }
    for (const address of [
      '93.184.216.34',
      '8.8.8.8',
      '172.32.0.1',
      '2606:4700::1111',
      '::ffff:8.8.8.8',
    ]) {
      assert.equal(guard.allows(address), true, address);
    }
  });

  it('lets allow-listed ranges through, IPv4-mapped IPv6 included, and nothing beside them', () => {
    const guard = new AddressGuard(['127.0.0.0/8', '::1', '10.1.0.0/16']);
    for (const address of ['127.0.0.1', '::ffff:127.0.0.1', '::1', '10.1.200.3']) {
      assert.equal(guard.allows(address), true, address);
    }
    for (const address of ['10.2.0.1', '169.254.169.254', 'fd00::1', '192.168.0.1']) {
      assert.equal(guard.allows(address), false, address);
    }
  });

  it('rejects what is not a CIDR range', () => {
    for (const bad of ['localhost', '10.0.0.0/33', '::1/129', '10.0.0.0/8/8', '10.0.0.0/x', '']) {
      assert.throws(() => parseCidr(bad), { code: 'INVALID_ARGUMENT' }, bad);
    }
    assert.deepEqual(parseCidr('10.0.0.0/8'), { address: '10.0.0.0', prefix: 8, type: 'ipv4' });
  });

  it('is configured by --gateway-allow or MC_GATEWAY_ALLOW, checked at start', () => {
    const options = (argv: string[], env: NodeJS.ProcessEnv) => {
      const config = parseConfig(argv, env);
      assert.equal(config.help, false);
      return config.options;
    };
    assert.deepEqual(
      options(['--gateway-allow', '127.0.0.0/8', '--gateway-allow', '::1'], {}).gatewayAllow,
      ['127.0.0.0/8', '::1'],
    );
    assert.deepEqual(options([], { MC_GATEWAY_ALLOW: '10.1.0.0/16, fd00::/8' }).gatewayAllow, [
      '10.1.0.0/16',
      'fd00::/8',
    ]);
    assert.equal(options([], {}).gatewayAllow, undefined);
    assert.throws(() => parseConfig(['--gateway-allow', 'localhost'], {}), {
      code: 'INVALID_ARGUMENT',
    });
  });

  it('filters what a name resolves to (the lookup hook), refusing when nothing is left', async () => {
    const lookup = (guard: AddressGuard) =>
      new Promise<unknown>((resolve) =>
        guard.lookup('localhost', { all: true }, (error, addresses) => resolve(error ?? addresses)),
      );
    assert.equal(((await lookup(new AddressGuard())) as { code: string }).code, 'ADDRESS_REFUSED');
    const allowed = (await lookup(new AddressGuard(['127.0.0.0/8']))) as Array<{ address: string }>;
    assert.ok(allowed.length > 0);
    assert.ok(allowed.every((entry) => entry.address.startsWith('127.')));
  });
});

describe('Gateway: never an open proxy', { timeout: 30_000 }, () => {
  let backend: Backend;
  let open: McServer;
  let closed: McServer;
  const tokens = new Map<string, string>();
  /** One token per server and app, minted once (the identity route limits minting per user). */
  const token = async (server: McServer, app: string) => {
    const key = `${server.url} ${app}`;
    if (!tokens.has(key)) tokens.set(key, await identityToken(server, app));
    return tokens.get(key)!;
  };

  before(async () => {
    backend = await startBackend();
    const port = new URL(backend.url).port;
    const endpoints = [{ path: '/echo' }];
    const entries = [
      appEntry('todo', `${backend.url}/v1`, endpoints),
      appEntry('byname', `http://localhost:${port}/v1`, endpoints),
      appEntry('ipv6', `http://[::1]:${port}/v1`, endpoints),
      appEntry('mapped', `http://[::ffff:127.0.0.1]:${port}/v1`, endpoints),
      appEntry('metadata', 'http://169.254.169.254/latest', endpoints),
      appEntry('lan', 'http://10.0.0.1/v1', endpoints),
    ];
    open = await startGatewayServer(entries, { gatewayAllow: ['127.0.0.0/8'] });
    closed = await startGatewayServer(entries);
  });
  after(async () => {
    await open?.close();
    await closed?.close();
    await backend?.close();
  });

  it('refuses backends on loopback and private addresses without an allow-list: 502 ADDRESS_REFUSED', async () => {
    for (const app of ['todo', 'byname', 'ipv6', 'mapped', 'metadata', 'lan']) {
      const res = await fetch(`${closed.url}/api/${app}/echo`, {
        headers: { authorization: `Bearer ${await token(closed, app)}` },
      });
      assert.equal(res.status, 502, app);
      const body = (await res.json()) as { error: { code: string } };
      assert.equal(body.error.code, 'ADDRESS_REFUSED', app);
    }
    assert.ok(
      !backend.child.lines.some((l) => l.startsWith('request ')),
      'the backend saw a request',
    );
  });

  it('reaches a loopback backend by address or by name once loopback is allow-listed, and nothing else', async () => {
    for (const app of ['todo', 'byname', 'mapped']) {
      const res = await fetch(`${open.url}/api/${app}/echo`, {
        headers: { authorization: `Bearer ${await token(open, app)}` },
      });
      assert.equal(res.status, 200, app);
      await res.arrayBuffer();
    }
    for (const app of ['metadata', 'lan']) {
      const res = await fetch(`${open.url}/api/${app}/echo`, {
        headers: { authorization: `Bearer ${await token(open, app)}` },
      });
      assert.equal(res.status, 502, app);
      await res.arrayBuffer();
    }
  });

  it('checks the peer of the connected socket too: a lookup that let 127.0.0.1 through is caught', async () => {
    // As if DNS rebinding or a resolver bug got past the lookup hook.
    class LeakyLookup extends AddressGuard {
      override readonly lookup = dnsLookup as unknown as LookupFunction;
    }
    const agent = createGuardedAgent(new LeakyLookup(), {
      connectTimeoutMs: 2_000,
      headersTimeoutMs: 2_000,
      bodyTimeoutMs: 2_000,
    });
    const seen = backend.child.lines.length;
    try {
      await assert.rejects(
        agent.request({
          origin: `http://localhost:${new URL(backend.url).port}`,
          path: '/v1/echo/leak',
          method: 'GET',
        }),
        { code: 'ADDRESS_REFUSED' },
      );
    } finally {
      await agent.close();
    }
    assert.ok(!backend.child.lines.slice(seen).some((l) => l.includes('/leak')));
  });

  it('never lets a path leave the base path or the endpoints, in any spelling', async () => {
    const t = await token(open, 'todo');
    const attempts = [
      '/api/todo/echo/../secret',
      '/api/todo/echo/../../admin',
      '/api/todo/../../admin',
      '/api/todo/echo/%2e%2e/secret',
      '/api/todo/echo/%2E%2e/%2e%2e/admin',
      '/api/todo/echo/.%2e/secret',
      '/api/todo/echo/..%2fsecret',
      '/api/todo/echo/..%2Fsecret',
      '/api/todo/echo/%2fadmin',
      '/api/todo/echo//admin',
      '/api/todo//echo',
      '/api/todo/echo\\..\\secret',
      '/api/todo/echo/..%5csecret',
      '/api/todo/echo/%00',
      '/api/todo/echo/./x',
      '/api/todo/echo/%c0%ae%c0%ae/secret',
    ];
    for (const target of attempts) {
      const res = await rawGet(open.url, target, t);
      assert.ok([400, 404].includes(res.status), `${target}: ${res.status}`);
    }
    const seen = backend.child.lines.filter((l) => l.startsWith('request '));
    assert.ok(
      seen.every((l) =>
        /^request GET \/v1\/echo(\/|$|\?)/.test(l.split(' ').slice(0, 3).join(' ')),
      ),
      seen.join('\n'),
    );
    assert.ok(!seen.some((l) => l.includes('secret') || l.includes('admin')), seen.join('\n'));
  });

  it("ignores a client's absolute-form target: the host always comes from the registry", async () => {
    const res = await rawGet(
      open.url,
      'http://169.254.169.254/api/todo/echo',
      await token(open, 'todo'),
    );
    assert.equal(res.status, 400);
  });
});
