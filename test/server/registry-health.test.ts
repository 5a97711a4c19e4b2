import assert from 'node:assert/strict';
import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';

import { pino } from 'pino';

import { AppEntrySchema } from '../../sdk/protocol/registry.ts';
import type { McServer } from '../../server/server.ts';
import { ENGINES, EngineFixture, eventually } from './helpers/engines.ts';
import { entryOf, EventStream, RegistryApi, startRegistryServer } from './helpers/registry.ts';

/** A real HTTP backend whose /healthz answers `status` (0: never answers). */
async function startBackend(): Promise<{
  url: string;
  status: number;
  hits: number;
  server: Server;
}> {
  const backend = { url: '', status: 200, hits: 0, server: undefined as unknown as Server };
  backend.server = createHttpServer((req, res) => {
    if (req.url !== '/base/healthz') return void res.writeHead(404).end();
    backend.hits++;
    if (backend.status === 0) return; // hangs: the probe's timeout must end it
    if (backend.status === 302) return void res.writeHead(302, { location: '/base/ok' }).end();
    res.writeHead(backend.status).end('ok');
  });
  await new Promise<void>((resolve) => backend.server.listen(0, '127.0.0.1', resolve));
  backend.url = `http://127.0.0.1:${(backend.server.address() as AddressInfo).port}/base`;
  return backend;
}

async function stop(server: Server): Promise<void> {
  const closed = new Promise((resolve) => server.close(resolve));
  server.closeAllConnections();
  await closed;
}

const healthOf = (api: RegistryApi, id: string) => async () => (await api.publicApp(id))?.health;
const until = (api: RegistryApi, id: string, want: string) =>
  eventually(`${id} to be ${want}`, async () =>
    (await healthOf(api, id)()) === want ? true : undefined,
  );

for (const kind of ENGINES) {
  describe(`registry health (${kind})`, { timeout: 60_000 }, () => {
    const fixture = new EngineFixture(kind);
    let server: McServer;
    let api: RegistryApi;
    /** The server's log lines (warnings and up). */
    const logs: string[] = [];

    before(async () => {
      server = await startRegistryServer(await fixture.open(), {
        logger: pino({ level: 'warn' }, { write: (line: string) => void logs.push(line) }),
        heartbeatTtlMs: 600,
        probeIntervalMs: 150,
        probeTimeoutMs: 300,
        registryCacheMs: 400,
      });
      api = new RegistryApi(server);
    });
    after(async () => {
      await server.close();
      await fixture.cleanup();
    });

    it('probes a real backend: healthy, then unhealthy once it stops, with SSE events', async () => {
      const backend = await startBackend();
      const events = await EventStream.open(server.url);
      try {
        const etag = await api.create(
          entryOf('probed', { backend: { url: backend.url, health: '/healthz' } }),
        );
        await until(api, 'probed', 'healthy');
        assert.ok(backend.hits > 0);
        await events.next((e) => e.id === 'probed' && e.health === 'healthy' && e.etag === etag);
        await stop(backend.server);
        await until(api, 'probed', 'unhealthy');
        const down = await events.next((e) => e.id === 'probed' && e.health === 'unhealthy');
        assert.equal(down.etag, etag);
        const listed = (await api.list()).apps.find(
          (app) => (app.manifest as { id: string }).id === 'probed',
        );
        assert.equal(listed?.health, 'unhealthy');
      } finally {
        events.close();
        await stop(backend.server).catch(() => {});
      }
    });

    it('fails a probe on a 5xx, a redirect and a hang (timeout), and passes it again on 200', async () => {
      const backend = await startBackend();
      try {
        await api.create(entryOf('flaky', { backend: { url: backend.url, health: 'healthz' } }));
        await until(api, 'flaky', 'healthy');
        for (const status of [503, 302, 0, 200]) {
          backend.status = status;
          await until(api, 'flaky', status === 200 ? 'healthy' : 'unhealthy');
          if (status !== 200) backend.status = 200;
          if (status !== 200) await until(api, 'flaky', 'healthy');
        }
      } finally {
        await stop(backend.server);
      }
    });

    it('probes only http(s): a file: health URL never passes', async () => {
      await api.create(
        entryOf('fileprobe', {
          backend: { url: 'http://127.0.0.1:9/x', health: 'file:///etc/passwd' },
        }),
      );
      await until(api, 'fileprobe', 'unhealthy');
    });

    it('logs a failing probe without the credentials or query of its URL', async () => {
      const url = 'http://probe-user:probe-pass-7f3a@127.0.0.1:9/x';
      await api.create(
        entryOf('secretprobe', {
          backend: { url, health: '/healthz?key=probe-key-91c2#probe-t-5' },
        }),
      );
      await until(api, 'secretprobe', 'unhealthy');
      const lines = logs.filter((line) => line.includes('secretprobe'));
      assert.ok(lines.some((line) => line.includes('health probe failed')));
      for (const secret of ['probe-user', 'probe-pass-7f3a', 'probe-key-91c2', 'probe-t-5']) {
        assert.ok(!lines.some((line) => line.includes(secret)), `the log shows ${secret}`);
      }
      assert.ok(lines.some((line) => line.includes('http://127.0.0.1:9/x/healthz')));
    });

    it('counts a heartbeat for its TTL: healthy, then unknown once it expires', async () => {
      await api.create(entryOf('beating', { backend: { url: 'http://127.0.0.1:9/x' } }));
      const { secret } = await api.issue('beating');
      const events = await EventStream.open(server.url);
      try {
        assert.equal(await healthOf(api, 'beating')(), 'unknown');
        const res = await api.heartbeat('beating', secret);
        assert.equal(res.status, 200);
        assert.deepEqual(await res.json(), { id: 'beating', health: 'healthy', ttlMs: 600 });
        assert.equal(await healthOf(api, 'beating')(), 'healthy');
        await events.next((e) => e.id === 'beating' && e.health === 'healthy');
        await until(api, 'beating', 'unknown');
        await events.next((e) => e.id === 'beating' && e.health === 'unknown');
      } finally {
        events.close();
      }
    });

    it('answers a backend that beats in a loop with 429 and Retry-After', async () => {
      await api.create(entryOf('looping', { backend: { url: 'http://127.0.0.1:9/x' } }));
      const { secret } = await api.issue('looping');
      const statuses: number[] = [];
      let retryAfter: string | null = null;
      // 25 at once: the burst is 10, and refilling 15 would take 7.5 s.
      for (let i = 0; i < 25; i++) {
        const res = await api.heartbeat('looping', secret);
        statuses.push(res.status);
        if (res.status === 429) retryAfter = res.headers.get('retry-after');
        await res.body?.cancel();
      }
      assert.ok(
        statuses.slice(0, 10).every((s) => s === 200),
        statuses.join(' '),
      );
      assert.ok(statuses.includes(429), statuses.join(' '));
      assert.equal(retryAfter, '1');
    });

    it('a live heartbeat outweighs a failing probe, until it expires', async () => {
      await api.create(
        entryOf('both', { backend: { url: 'http://127.0.0.1:9/x', health: '/healthz' } }),
      );
      const { secret } = await api.issue('both');
      await until(api, 'both', 'unhealthy');
      // Read while the beat lives: a loaded machine once took longer than its 600 ms TTL
      // between the beat and the read, so a read that came too late beats again (a few
      // times at most). A heartbeat that did not outweigh the probe never reads healthy.
      let health: string | undefined;
      for (let tries = 0; tries < 5 && health !== 'healthy'; tries++) {
        assert.equal((await api.heartbeat('both', secret)).status, 200);
        health = await healthOf(api, 'both')();
      }
      assert.equal(health, 'healthy');
      await until(api, 'both', 'unhealthy');
    });

    it('serves and streams a change that came without a notice once the cache ages out', async () => {
      const events = await EventStream.open(server.url);
      try {
        assert.equal(await api.publicApp('sneaky'), undefined);
        // Written around the registry: no change notice, as when pub/sub loses one.
        const entry = AppEntrySchema.parse(entryOf('sneaky'));
        const version = await server.engine.records.set(
          'registry.apps.sneaky',
          JSON.stringify(entry),
        );
        await until(api, 'sneaky', 'unknown');
        await events.next((e) => e.id === 'sneaky' && e.etag === `"${version}"`);
        assert.equal(await server.engine.records.delete('registry.apps.sneaky'), true);
        await events.next((e) => e.id === 'sneaky' && e.etag === null);
        assert.equal(await api.publicApp('sneaky'), undefined);
      } finally {
        events.close();
      }
    });

    it('reports the catalog size and probe results in /metrics', async () => {
      const text = await (await fetch(`${server.url}/metrics`)).text();
      const apps = /^microcanvas_registry_apps\{[^}]*\} (\d+)$/m.exec(text);
      assert.equal(Number(apps?.[1]), (await api.list()).apps.length);
      assert.match(text, /^microcanvas_registry_probes_total\{result="ok"[^}]*\} [1-9]/m);
      assert.match(text, /^microcanvas_registry_probes_total\{result="fail"[^}]*\} [1-9]/m);
    });
  });
}
