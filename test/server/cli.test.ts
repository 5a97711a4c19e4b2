import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import {
  dropNats,
  ENGINES,
  eventually,
  NATS_URL,
  REDIS_URL,
  uniqueNamespace,
} from './helpers/engines.ts';
import {
  type Child,
  freePort,
  kill,
  NATS_SERVER,
  REDIS_SERVER,
  spawnTs,
  startNats,
  startRedis,
} from './helpers/processes.ts';

/** Starts the CLI and resolves once it logged the URL it listens on. */
async function startCli(args: string[]): Promise<{ cli: Child; url: string }> {
  const cli = spawnTs('server/cli.ts', ['--port', '0', ...args]);
  const line = await cli.line((l) => l.includes('"listening"'));
  return { cli, url: (JSON.parse(line) as { url: string }).url };
}

async function get(url: string, init: RequestInit = {}) {
  const res = await fetch(url, init);
  return {
    status: res.status,
    type: res.headers.get('content-type') ?? '',
    text: await res.text(),
  };
}

const tmp = mkdtempSync(join(tmpdir(), 'mc-cli-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const URLS = {
  embedded: () => join(tmp, `${uniqueNamespace()}.db`),
  redis: () => REDIS_URL,
  nats: () => NATS_URL,
};

for (const kind of ENGINES) {
  describe(`microcanvas-server CLI (${kind}) over HTTP`, () => {
    it('answers /healthz and /metrics, logs JSON, and stops on SIGTERM with exit 0', async () => {
      const engineUrl = URLS[kind]();
      const namespace = uniqueNamespace();
      const { cli, url } = await startCli([
        '--engine',
        kind,
        '--engine-url',
        engineUrl,
        '--namespace',
        namespace,
      ]);
      try {
        const health = await get(`${url}/healthz`);
        assert.equal(health.status, 200);
        assert.deepEqual(JSON.parse(health.text), { status: 'ok', engine: kind });

        const metrics = await get(`${url}/metrics`);
        assert.equal(metrics.status, 200);
        assert.match(metrics.type, /^text\/plain; version=0\.0\.4/);
        assert.match(
          metrics.text,
          new RegExp(`^microcanvas_engine_up\\{engine="${kind}"\\} 1$`, 'm'),
        );
        assert.match(
          metrics.text,
          new RegExp(
            `^microcanvas_http_requests_total\\{route="/healthz",status="200",engine="${kind}"\\} 1$`,
            'm',
          ),
        );
        assert.match(metrics.text, /^microcanvas_process_resident_memory_bytes\{/m);

        assert.equal((await get(`${url}/nope`)).status, 404);
        const post = await get(`${url}/healthz`, { method: 'POST' });
        assert.equal(post.status, 405);

        for (const line of cli.lines) JSON.parse(line); // every line is JSON
        if (kind === 'embedded') assert.ok(existsSync(engineUrl), 'the SQLite file was made');

        cli.child.kill('SIGTERM');
        assert.equal(await cli.exit, 0);
        assert.ok(cli.lines.some((l) => l.includes('"stopped"')));
        await assert.rejects(fetch(`${url}/healthz`)); // the port is closed
      } finally {
        await kill(cli.child);
        if (kind === 'nats') await dropNats(NATS_URL, namespace);
      }
    });
  });
}

describe('microcanvas-server CLI: refusals', () => {
  it('exits 2 with the usage on an unknown flag or a bad value', async () => {
    for (const args of [
      ['--bogus'],
      ['--engine', 'mysql'],
      ['--retention', '3 weeks'],
      ['--port', '-1'],
    ]) {
      const cli = spawnTs('server/cli.ts', args);
      assert.equal(await cli.exit, 2, args.join(' '));
      assert.ok(
        cli.lines.some((l) => l.startsWith('Usage: microcanvas-server')),
        args.join(' '),
      );
    }
  });

  it('exits 1 when the engine cannot be reached at start', async () => {
    const port = await freePort();
    const cli = spawnTs('server/cli.ts', [
      '--port',
      '0',
      '--engine',
      'redis',
      '--engine-url',
      `redis://127.0.0.1:${port}`,
    ]);
    assert.equal(await cli.exit, 1);
    assert.ok(
      cli.lines.some(
        (l) => l.includes('cannot start') && l.includes('STORAGE_UNAVAILABLE') === false,
      ),
    );
  });
});

const haveBinaries = existsSync(REDIS_SERVER) && existsSync(NATS_SERVER);

describe(
  'microcanvas-server CLI: /healthz follows the engine',
  { skip: haveBinaries ? false : `needs ${REDIS_SERVER} and ${NATS_SERVER}` },
  () => {
    for (const kind of ['redis', 'nats'] as const) {
      it(`${kind}: 503 with a reason while the server is down, 200 again after it restarts`, async () => {
        const port = await freePort();
        const dir = mkdtempSync(join(tmp, `${kind}-`));
        const start = () => (kind === 'redis' ? startRedis(port) : startNats(port, dir));
        let service = await start();
        const { cli, url } = await startCli(['--engine', kind, '--engine-url', service.url]);
        try {
          assert.equal((await get(`${url}/healthz`)).status, 200);
          await kill(service.child);
          const down = await eventually('/healthz to say 503', async () => {
            const res = await get(`${url}/healthz`);
            return res.status === 503 ? res : undefined;
          });
          const body = JSON.parse(down.text) as { status: string; reason: string };
          assert.equal(body.status, 'unavailable');
          assert.match(body.reason, new RegExp(`^${kind}: `));
          assert.match((await get(`${url}/metrics`)).text, /^microcanvas_engine_up\{[^}]*\} 0$/m);

          service = await start();
          await eventually(
            '/healthz to say 200 again',
            async () => ((await get(`${url}/healthz`)).status === 200 ? true : undefined),
            20_000,
          );
        } finally {
          await kill(cli.child);
          await kill(service.child);
        }
      });
    }
  },
);
