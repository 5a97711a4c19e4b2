import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import type { McServer } from '../../server/server.ts';
import { ENGINES, EngineFixture } from './helpers/engines.ts';
import { kill, spawnTs, type Child } from './helpers/processes.ts';
import { entryOf, EventStream, RegistryApi, startRegistryServer } from './helpers/registry.ts';

/** Polls `probe` for at most `ms`: the figure the registry promises for a change to spread. */
async function within<T>(ms: number, what: string, probe: () => Promise<T | undefined>) {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (value !== undefined) return { value, ms: Date.now() - started };
    if (Date.now() - started > ms) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Two concurrent conditional PUTs of one entry with one ETag: the statuses, sorted. */
async function race(one: RegistryApi, two: RegistryApi, id: string, rounds: number) {
  const outcomes: string[] = [];
  for (let round = 0; round < rounds; round++) {
    const current = await one.request('GET', `/registry/apps/${id}`);
    const etag = current.headers.get('etag')!;
    await current.body?.cancel();
    const results = await Promise.all(
      [one, two].map((api, i) => api.update(entryOf(id, { version: `${round}.${i}.0` }), etag)),
    );
    const statuses = results.map((res) => res.status).sort();
    for (const res of results) await res.body?.cancel();
    outcomes.push(statuses.join('/'));
    const after = (await one.request('GET', `/registry/apps/${id}`).then((r) => r.json())) as {
      version: string;
    };
    const winner = results.findIndex((res) => res.status === 200);
    assert.equal(after.version, `${round}.${winner}.0`, 'the stored entry is the winner');
  }
  return outcomes;
}

describe('registry: If-Match races on one process', { timeout: 120_000 }, () => {
  for (const kind of ENGINES) {
    it(`${kind}: of two concurrent updates with one ETag, one gets 200 and the other 412 (20 rounds)`, async () => {
      const fixture = new EngineFixture(kind);
      const server = await startRegistryServer(await fixture.open());
      try {
        const api = new RegistryApi(server);
        await api.create(entryOf('raced'));
        const outcomes = await race(api, api, 'raced', 20);
        assert.deepEqual(outcomes, Array(20).fill('200/412'));
      } finally {
        await server.close();
        await fixture.cleanup();
      }
    });
  }
});

for (const kind of ENGINES.filter((name) => name !== 'embedded')) {
  describe(`registry across two server processes (${kind})`, { timeout: 120_000 }, () => {
    const fixture = new EngineFixture(kind);
    let a: McServer;
    let b: Child;
    let onA: RegistryApi;
    let onB: RegistryApi;

    before(async () => {
      a = await startRegistryServer(await fixture.open());
      // B caches for a minute: only the change notice can make it see a change in a second.
      b = spawnTs('test/server/fixtures/registry-server.ts', [
        JSON.stringify({
          engine: { engine: kind, url: fixture.url, namespace: fixture.namespace },
        }),
      ]);
      const line = await b.line((l) => l.startsWith('listening '));
      onA = new RegistryApi(a);
      onB = new RegistryApi(line.split(' ')[1]!);
    });
    after(async () => {
      await kill(b.child, 'SIGTERM');
      await a.close();
      await fixture.cleanup();
    });

    it('an update through A is what B serves within a second, and B streams it', async (t) => {
      assert.equal(await onB.publicApp('spread'), undefined, 'B has read (and cached) the catalog');
      const events = await EventStream.open(onB.base);
      try {
        const etag = await onA.create(entryOf('spread'));
        const created = await within(1_000, 'B sees the new entry', async () =>
          (await onB.publicApp('spread'))?.etag === etag ? true : undefined,
        );
        await events.next((e) => e.id === 'spread' && e.etag === etag);

        const updated = await onA.update(entryOf('spread', { version: '2.0.0' }), etag);
        const etag2 = updated.headers.get('etag')!;
        const seen = await within(1_000, 'B sees the update', async () =>
          (await onB.publicApp('spread'))?.version === '2.0.0' ? true : undefined,
        );
        const event = await events.next((e) => e.id === 'spread' && e.etag === etag2);
        assert.ok(['unknown', 'healthy', 'unhealthy'].includes(event.health));

        const removed = await onA.request('DELETE', '/registry/apps/spread', {
          headers: { 'if-match': etag2 },
        });
        assert.equal(removed.status, 204);
        const gone = await within(1_000, 'B sees the delete', async () =>
          (await onB.publicApp('spread')) === undefined ? true : undefined,
        );
        await events.next((e) => e.id === 'spread' && e.etag === null);
        const catalog = await onB.list();
        assert.ok(!catalog.apps.some((app) => (app.manifest as { id: string }).id === 'spread'));
        t.diagnostic(
          `${kind}: B saw create/update/delete after ${created.ms}/${seen.ms}/${gone.ms} ms`,
        );
      } finally {
        events.close();
      }
    });

    it('of two concurrent updates through A and B with one ETag, one wins (20 rounds)', async () => {
      await onA.create(entryOf('contested'));
      const outcomes = await race(onA, onB, 'contested', 20);
      assert.deepEqual(outcomes, Array(20).fill('200/412'));
    });

    it('a credential issued on A beats on B; revoked on A, B refuses it within a second', async () => {
      await onA.create(entryOf('remote'));
      const { id, secret } = await onA.issue('remote');
      const beat = await within(1_000, 'B accepts the new credential', async () => {
        const res = await onB.heartbeat('remote', secret);
        await res.body?.cancel();
        return res.status === 200 ? true : undefined;
      });
      assert.ok(beat.value);
      assert.equal((await onA.publicApp('remote'))?.health, 'healthy', 'A reads B’s heartbeat');
      const revoked = await onA.request('DELETE', `/registry/apps/remote/credentials/${id}`);
      assert.equal(revoked.status, 204);
      await within(1_000, 'B refuses the revoked credential', async () => {
        const res = await onB.heartbeat('remote', secret);
        await res.body?.cancel();
        return res.status === 401 ? true : undefined;
      });
    });
  });
}
