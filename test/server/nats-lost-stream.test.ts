import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';

import type { Engine } from '../../server/engine/index.ts';
import { ENGINES, EngineFixture, NATS_URL } from './helpers/engines.ts';

/** Deletes a JetStream stream behind the engine's back, as a server that lost its storage. */
async function deleteStream(name: string): Promise<void> {
  const nc = await connect({ servers: NATS_URL });
  try {
    await (await jetstreamManager(nc)).streams.delete(name);
  } finally {
    await nc.close();
  }
}

describe(
  'nats: a stream lost by the server (storage gone) behind the engine',
  {
    skip: ENGINES.includes('nats') ? false : 'NATS is not among MC_TEST_ENGINES',
  },
  () => {
    const fixture = new EngineFixture('nats');
    let engine: Engine;
    before(async () => {
      engine = await fixture.open();
    });
    after(() => fixture.cleanup());

    it('is made again by the next append and consume, under a new epoch', async () => {
      const first = await engine.log.append('lost.s', 'a');
      await engine.log.append('lost.s', 'b');
      const got = await engine.log.consume('lost.s', 'g', { max: 10, ackWaitMs: 30_000 });
      assert.equal(got.length, 2);

      await deleteStream(`${fixture.namespace}_log_lost_ds`);
      assert.equal((await engine.log.read('lost.s', 0, 10)).epoch, '');
      // consume first: the cached consumer is gone and must be made again.
      assert.deepEqual(await engine.log.consume('lost.s', 'g', { max: 10, ackWaitMs: 30_000 }), []);
      const again = await engine.log.append('lost.s', 'c');
      assert.equal(again.offset, 1);
      assert.notEqual(again.epoch, first.epoch);
      const next = await engine.log.consume('lost.s', 'g', { max: 10, ackWaitMs: 30_000 });
      assert.deepEqual(
        next.map((d) => [d.offset, d.payload]),
        [[1, 'c']],
      );
    });
  },
);
