import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { McError } from '../../sdk/protocol/errors.ts';
import { createEngine, type Engine, type EngineName } from '../../server/engine/index.ts';
import { eventually, readAll } from './helpers/engines.ts';
import {
  freePort,
  kill,
  NATS_SERVER,
  REDIS_SERVER,
  startNats,
  startRedis,
} from './helpers/processes.ts';

interface Counts {
  attempted: number;
  acked: number;
  refused: number;
}

/**
 * Appends `e1`, `e2`, … until `stop()` says so, counting what was acknowledged and what
 * was refused (STORAGE_UNAVAILABLE while the service is down: the caller knows it was not
 * stored and may retry; here it does not, so a refused number is simply absent).
 */
function writeUntil(engine: Engine, stream: string, stop: (counts: Counts) => boolean) {
  const counts: Counts = { attempted: 0, acked: 0, refused: 0 };
  const acked: number[] = [];
  const done = (async () => {
    for (let n = 1; !stop(counts); n++) {
      counts.attempted++;
      try {
        await engine.log.append(stream, JSON.stringify({ n }), `e${n}`);
        acked.push(n);
        counts.acked++;
      } catch (error) {
        assert.ok(error instanceof McError && error.code === 'STORAGE_UNAVAILABLE', String(error));
        counts.refused++;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
  })();
  return { counts, acked, done };
}

const ready = existsSync(REDIS_SERVER) && existsSync(NATS_SERVER);
const skip = ready
  ? false
  : `needs ${REDIS_SERVER} and ${NATS_SERVER} (scripts/server-services.mjs installs them as root)`;

/**
 * One restart scenario: a private server, a writer through the engine, the server stopped
 * (`signal`) mid-stream and started again on the same port and storage, the writer going on
 * until the engine has reconnected by itself and 200 more appends were acknowledged.
 */
async function restartScenario(
  kind: EngineName,
  signal: NodeJS.Signals,
  persistent: boolean,
): Promise<{
  counts: Counts;
  lost: number;
  duplicated: number;
  epochKept: boolean;
  storedAfter: number;
}> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), `mc-${kind}-`));
  const start = () =>
    kind === 'redis' ? startRedis(port, { dir, appendonly: persistent }) : startNats(port, dir);
  let service = await start();
  const engine = await createEngine({ engine: kind, url: service.url, namespace: 'fault' });
  try {
    let stopAt = Infinity;
    const writer = writeUntil(engine, 'restart.s', (counts) => counts.acked >= stopAt);
    await eventually('200 acked', async () => (writer.counts.acked >= 200 ? true : undefined));
    const epochBefore = (await engine.log.read('restart.s', 0, 1)).epoch;
    await kill(service.child, signal);
    service = await start();
    stopAt = writer.counts.acked + 200;
    await writer.done;
    const read = await engine.log.read('restart.s', 0, 1);
    const stored = (await readAll(engine, 'restart.s')).map(
      (e) => (JSON.parse(e.payload) as { n: number }).n,
    );
    const set = new Set(stored);
    return {
      counts: writer.counts,
      lost: writer.acked.filter((n) => !set.has(n)).length,
      duplicated: stored.length - set.size,
      epochKept: read.epoch === epochBefore,
      storedAfter: stored.length,
    };
  } finally {
    await engine.close();
    await kill(service.child);
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('fault: Redis restarted mid-stream', { skip }, () => {
  it('with the AOF (appendfsync always), even after SIGKILL: reconnects by itself, loses and duplicates no acknowledged append', async (t) => {
    const r = await restartScenario('redis', 'SIGKILL', true);
    t.diagnostic(
      `attempted ${r.counts.attempted}, acked ${r.counts.acked}, refused while down ${r.counts.refused}, ` +
        `stored ${r.storedAfter}, lost ${r.lost}, duplicated ${r.duplicated}, epoch kept ${r.epochKept}`,
    );
    assert.equal(r.lost, 0);
    assert.equal(r.duplicated, 0);
    assert.equal(r.epochKept, true);
  });

  it('without persistence (--save ""): history is gone, and a reader can tell (new epoch)', async (t) => {
    const r = await restartScenario('redis', 'SIGKILL', false);
    t.diagnostic(
      `attempted ${r.counts.attempted}, acked ${r.counts.acked}, refused while down ${r.counts.refused}, ` +
        `stored after restart ${r.storedAfter}, acked but gone ${r.lost}, epoch kept ${r.epochKept}`,
    );
    assert.equal(r.epochKept, false);
    assert.ok(r.lost > 0, 'the positive control: the restart did lose history');
    assert.equal(r.duplicated, 0);
  });
});

describe('fault: NATS restarted mid-stream', { skip }, () => {
  it('stopped (SIGTERM) and started: reconnects by itself, loses and duplicates no acknowledged append', async (t) => {
    const r = await restartScenario('nats', 'SIGTERM', true);
    t.diagnostic(
      `attempted ${r.counts.attempted}, acked ${r.counts.acked}, refused while down ${r.counts.refused}, ` +
        `stored ${r.storedAfter}, lost ${r.lost}, duplicated ${r.duplicated}, epoch kept ${r.epochKept}`,
    );
    assert.equal(r.lost, 0);
    assert.equal(r.duplicated, 0);
    assert.equal(r.epochKept, true);
  });

  it('killed (SIGKILL) and started: reconnects by itself, loses and duplicates no acknowledged append', async (t) => {
    const r = await restartScenario('nats', 'SIGKILL', true);
    t.diagnostic(
      `attempted ${r.counts.attempted}, acked ${r.counts.acked}, refused while down ${r.counts.refused}, ` +
        `stored ${r.storedAfter}, lost ${r.lost}, duplicated ${r.duplicated}, epoch kept ${r.epochKept}`,
    );
    assert.equal(r.lost, 0);
    assert.equal(r.duplicated, 0);
  });
});
