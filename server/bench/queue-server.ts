/**
 * The server process of the queue bench (server/bench/queues.ts forks it): the real
 * microcanvas server on the engine it is told, with an admin token. It owns the engine (the
 * embedded one allows one writing process), so the bench asks it over IPC to fill a queue
 * as the event router would, and to run the raw baseline on the engine itself.
 *
 * MC_BENCH = JSON {@link QueueServerSpec}.
 */
import { randomUUID } from 'node:crypto';

import { pino } from 'pino';

import { queueChannel, queueStream, type BackendEvent } from '../delivery/types.ts';
import type { Engine, EngineConfig } from '../engine/index.ts';
import { createServer } from '../server.ts';

/** What to start. */
export interface QueueServerSpec {
  readonly engine: EngineConfig;
  readonly adminToken: string;
}

/** What the bench asks. */
export type ToQueueServer =
  | { readonly t: 'enqueue'; readonly app: string; readonly queue: string; readonly events: number }
  | { readonly t: 'raw'; readonly stream: string; readonly events: number }
  | { readonly t: 'stop' };
/** What this process answers. */
export type FromQueueServer =
  | { readonly t: 'ready'; readonly url: string }
  | { readonly t: 'enqueued' }
  | { readonly t: 'raw'; readonly perSec: number };

/** Appends in flight at once, as the router's publishers would be. */
const APPENDS_IN_FLIGHT = 32;

const spec = JSON.parse(process.env.MC_BENCH ?? '{}') as QueueServerSpec;
const send = (message: FromQueueServer) => process.send!(message);
const server = await createServer({
  port: 0,
  engine: spec.engine,
  logger: pino({ level: process.env.MC_BENCH_LOG ?? 'error' }),
  adminToken: spec.adminToken,
});

function event(n: number): BackendEvent {
  return {
    id: randomUUID(),
    space: 'bench',
    app: 'todo',
    topic: 'todo.item.completed',
    data: JSON.stringify({ n, pad: 'x'.repeat(64) }),
    by: { user: 'ann', device: 'dev-bench' },
    time: Date.now(),
  };
}

/**
 * Appends `n` events to `stream` as the router does (dedup id = event id), announcing each on
 * `channel` when given (the router announces appends to queues, waking waiting pulls).
 */
async function enqueue(engine: Engine, stream: string, n: number, channel?: string) {
  let next = 0;
  await Promise.all(
    Array.from({ length: APPENDS_IN_FLIGHT }, async () => {
      while (next < n) {
        const e = event(next++);
        await engine.log.append(stream, JSON.stringify(e), e.id);
        if (channel !== undefined) void engine.pubsub.publish(channel, '').catch(() => {});
      }
    }),
  );
}

/** The raw baseline: append + consume + ack on the engine; events/s until all are acked. */
async function raw(engine: Engine, stream: string, n: number): Promise<number> {
  const start = performance.now();
  const appending = enqueue(engine, stream, n);
  let acked = 0;
  while (acked < n) {
    const batch = await engine.log.consume(stream, 'raw', { max: 100, ackWaitMs: 30_000 });
    if (batch.length === 0) {
      await new Promise((resolve) => setTimeout(resolve, 1));
      continue;
    }
    await Promise.all(batch.map((d) => engine.log.ack(stream, 'raw', d)));
    acked += batch.length;
  }
  await appending;
  return n / ((performance.now() - start) / 1000);
}

process.on('message', (message: ToQueueServer) => {
  if (message.t === 'stop') {
    void server.close().finally(() => process.exit(0));
  } else if (message.t === 'enqueue') {
    const { app, queue, events } = message;
    const stream = queueStream(app, queue);
    void enqueue(server.engine, stream, events, queueChannel(app, queue)).then(() =>
      send({ t: 'enqueued' }),
    );
  } else {
    void raw(server.engine, message.stream, message.events).then((perSec) =>
      send({ t: 'raw', perSec }),
    );
  }
});
send({ t: 'ready', url: server.url });
