import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { McError } from '../../sdk/protocol/errors.ts';
import { parseConfig } from '../../server/config.ts';
import { spawnTs } from './helpers/processes.ts';

function options(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const config = parseConfig(argv, env);
  assert.equal(config.help, false);
  return config.help ? undefined : config.options;
}

describe('microcanvas-server CLI: sync options', () => {
  it('reads host origins from repeated flags or a comma-separated variable, flags first', () => {
    assert.deepEqual(
      options(['--host-origin', 'http://a.test', '--host-origin', 'https://b.test:8443'])
        ?.hostOrigins,
      ['http://a.test', 'https://b.test:8443'],
    );
    assert.deepEqual(
      options([], { MC_HOST_ORIGINS: 'http://a.test, http://b.test' })?.hostOrigins,
      ['http://a.test', 'http://b.test'],
    );
    assert.deepEqual(
      options(['--host-origin', 'http://c.test'], { MC_HOST_ORIGINS: 'http://a.test' })
        ?.hostOrigins,
      ['http://c.test'],
    );
    assert.deepEqual(options([])?.hostOrigins, []);
  });

  it('refuses an origin with a path, a trailing slash or no scheme', () => {
    for (const bad of ['http://a.test/', 'http://a.test/app', 'a.test', '*']) {
      assert.throws(
        () => parseConfig(['--host-origin', bad], {}),
        (error: unknown) => error instanceof McError && error.code === 'INVALID_ARGUMENT',
        bad,
      );
    }
  });

  it('takes the auth secret from the environment only, dev tokens and the space TTL', () => {
    const parsed = options(['--dev-tokens', '--space-ttl', '7d'], {
      MC_AUTH_SECRET: 's'.repeat(40),
    });
    assert.equal(parsed?.authSecret, 's'.repeat(40));
    assert.equal(parsed?.devTokens, true);
    assert.equal(parsed?.spaceTtlMs, 7 * 864e5);
    assert.equal(options([], { MC_DEV_TOKENS: '1' })?.devTokens, true);
    assert.equal(options([])?.devTokens, false);
    assert.throws(() => parseConfig(['--auth-secret', 'x'], {}));
  });

  it('takes the registry admin token from the environment only, at least 32 characters', () => {
    assert.equal(options([], { MC_ADMIN_TOKEN: 'a'.repeat(32) })?.adminToken, 'a'.repeat(32));
    assert.equal(options([])?.adminToken, undefined);
    assert.equal(options([], { MC_ADMIN_TOKEN: '' })?.adminToken, undefined);
    assert.throws(() => parseConfig([], { MC_ADMIN_TOKEN: 'short' }), /at least 32/);
    assert.throws(() => parseConfig(['--admin-token', 'a'.repeat(32)], {}));
    const timed = options(['--probe-interval', '2s'], { MC_HEARTBEAT_TTL: '1m' });
    assert.equal(timed?.probeIntervalMs, 2_000);
    assert.equal(timed?.heartbeatTtlMs, 60_000);
    assert.throws(() => parseConfig(['--probe-interval', 'soon'], {}), /not a duration/);
  });

  it('warns on stderr when dev tokens are on, and creates the demo space', async () => {
    const cli = spawnTs('server/cli.ts', [
      '--port',
      '0',
      '--engine-url',
      ':memory:',
      '--dev-tokens',
      '--host-origin',
      'http://a.test',
    ]);
    try {
      await cli.line((l) => l.includes('WARNING: --dev-tokens is on'));
      await cli.line((l) => l.includes('demo space'));
      const line = await cli.line((l) => l.includes('"listening"'));
      const { url } = JSON.parse(line) as { url: string };
      const res = await fetch(`${url}/dev/token`, {
        method: 'POST',
        headers: { origin: 'http://a.test' },
        body: '{"user":"demo"}',
      });
      assert.equal(res.status, 200);
    } finally {
      cli.child.kill('SIGTERM');
      await cli.exit;
    }
  });
});
