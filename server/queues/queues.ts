import type { Logger } from 'pino';

import { McError } from '../../sdk/protocol/errors.ts';
import type { QueueDelivery, QueueInfo } from '../../sdk/protocol/queues.ts';
import type { Queue } from '../../sdk/protocol/registry.ts';
import { queueStream } from '../delivery/types.ts';
import type { Delivery, Engine } from '../engine/index.ts';
import type { RegistryReader } from '../registry/types.ts';
import { decodeBackendEvent } from '../delivery/event-codec.ts';
import { DeadLetters } from './dead-letters.ts';
import { DeliveryTokens } from './delivery-tokens.ts';
import type { QueueMetrics } from './queue-metrics.ts';
import { QueueWaker } from './queue-waker.ts';

/** The consumer group of every queue: an app's backends share one queue between them. */
export const QUEUE_GROUP = 'backend';

/** Server-wide queue settings (`createServer({ queues })`); a queue's entry may override two. */
export interface QueueOptions {
  /** Unacked deliveries are handed out again this long after a pull. Default 30 s. */
  readonly ackWaitMs?: number;
  /** Deliveries of an event before it moves to the dead letters. Default 5. */
  readonly maxDeliveries?: number;
  /**
   * How often a waiting pull looks at its queue again. Appends wake it at once (the router
   * announces them); the poll finds redeliveries and what a lost announcement hid. Default
   * 250 ms.
   */
  readonly pollMs?: number;
  /** Pulls one app may have waiting at once (each holds a request open). Default 32. */
  readonly maxWaitingPulls?: number;
}

export const DEFAULT_QUEUE_ACK_WAIT_MS = 30_000;
export const DEFAULT_MAX_DELIVERIES = 5;
const DEFAULT_POLL_MS = 250;
const DEFAULT_MAX_WAITING_PULLS = 32;

/** A queue as the registry names it, with its settings resolved. */
interface QueueSettings {
  readonly app: string;
  readonly name: string;
  readonly stream: string;
  readonly ackWaitMs: number;
  readonly maxDeliveries: number;
}

/**
 * The durable queues of app backends (docs/backends.md, "Queues"): one engine log stream per
 * queue an app's registry entry declares (`q.<app>.<name>`, filled by the event router with
 * each matching canvas event, dedup id = the event's id), read by the app's backends through
 * one consumer group. At-least-once: a delivery not acked within the ack wait, or nacked,
 * is handed out again; one handed out `maxDeliveries` times without an ack moves to the dead
 * letters instead. Callers have already checked that the app is the caller's own.
 */
export class Queues {
  readonly #engine: Engine;
  readonly #registry: RegistryReader;
  readonly #log: Logger;
  readonly #metrics: QueueMetrics | undefined;
  readonly #tokens: DeliveryTokens;
  readonly deadLetters: DeadLetters;
  readonly #ackWaitMs: number;
  readonly #maxDeliveries: number;
  readonly #pollMs: number;
  readonly #maxWaiting: number;
  readonly #waiting = new Map<string, number>();
  readonly #closing = new AbortController();
  readonly #waker: QueueWaker;

  constructor(
    engine: Engine,
    registry: RegistryReader,
    logger: Logger,
    options: QueueOptions = {},
    metrics?: QueueMetrics,
  ) {
    this.#engine = engine;
    this.#registry = registry;
    this.#log = logger;
    this.#metrics = metrics;
    this.#tokens = new DeliveryTokens(engine.records);
    this.deadLetters = new DeadLetters(engine);
    this.#waker = new QueueWaker(engine.pubsub, logger);
    this.#ackWaitMs = options.ackWaitMs ?? DEFAULT_QUEUE_ACK_WAIT_MS;
    this.#maxDeliveries = options.maxDeliveries ?? DEFAULT_MAX_DELIVERIES;
    this.#pollMs = options.pollMs ?? DEFAULT_POLL_MS;
    this.#maxWaiting = options.maxWaitingPulls ?? DEFAULT_MAX_WAITING_PULLS;
  }

  /** The queue `name` of `app`, or NOT_FOUND when its registry entry declares none. */
  async settings(app: string, name: string): Promise<QueueSettings> {
    const stored = await this.#registry.get(app);
    const queue: Queue | undefined = stored?.entry.backend?.queues.find((q) => q.name === name);
    if (queue === undefined) throw new McError('NOT_FOUND', 'no such queue');
    return {
      app,
      name,
      stream: queueStream(app, name),
      ackWaitMs: queue.ackWaitMs ?? this.#ackWaitMs,
      maxDeliveries: queue.maxDeliveries ?? this.#maxDeliveries,
    };
  }

  /**
   * Up to `max` deliveries; when there are none, waits for some up to `waitMs` (looking
   * every pollMs) unless `signal` aborts (the client went away) or the queues close. Deliveries taken when the
   * client is already gone are nacked at once rather than left to the ack wait.
   */
  async pull(
    queue: QueueSettings,
    max: number,
    waitMs: number,
    signal: AbortSignal,
  ): Promise<QueueDelivery[]> {
    const waiting = this.#waiting.get(queue.app) ?? 0;
    if (waitMs > 0 && waiting >= this.#maxWaiting) {
      throw new McError('RATE_LIMITED', `at most ${this.#maxWaiting} waiting pulls per app`);
    }
    this.#waiting.set(queue.app, waiting + 1);
    const stop = AbortSignal.any([signal, this.#closing.signal]);
    try {
      const deadline = Date.now() + waitMs;
      for (;;) {
        const out = await this.#take(queue, max);
        if (signal.aborted && out.length > 0) {
          await this.nack(
            queue,
            out.map((d) => d.token),
            0,
          ).catch(() => {});
          return [];
        }
        const left = deadline - Date.now();
        if (out.length > 0 || left <= 0 || stop.aborted) return out;
        await this.#waker.wait(queue.app, queue.name, Math.min(this.#pollMs, left), stop);
      }
    } finally {
      const now = (this.#waiting.get(queue.app) ?? 1) - 1;
      if (now === 0) this.#waiting.delete(queue.app);
      else this.#waiting.set(queue.app, now);
    }
  }

  /** One consume: deliveries out of tries go to the dead letters, the rest to the client. */
  async #take(queue: QueueSettings, max: number): Promise<QueueDelivery[]> {
    const got = await this.#engine.log.consume(queue.stream, QUEUE_GROUP, {
      max,
      ackWaitMs: queue.ackWaitMs,
    });
    const out: QueueDelivery[] = [];
    for (const delivery of got) {
      const event = decodeBackendEvent(delivery.payload);
      if (event === undefined || delivery.deliveries > queue.maxDeliveries) {
        await this.#bury(queue, delivery, event === undefined ? 'malformed' : 'max-deliveries');
        continue;
      }
      const token = await this.#tokens.seal(queue.app, queue.name, delivery.token);
      out.push({ id: event.id, token, deliveries: delivery.deliveries, event });
      this.#metrics?.deliveries.inc({ kind: delivery.deliveries === 1 ? 'first' : 'again' });
    }
    return out;
  }

  /** Moves a delivery to the dead letters, then acks it (it comes back if the ack fails). */
  async #bury(
    queue: QueueSettings,
    delivery: Delivery,
    reason: 'max-deliveries' | 'malformed',
  ): Promise<void> {
    const deliveries = delivery.deliveries - (reason === 'max-deliveries' ? 1 : 0);
    await this.deadLetters.add(queue.app, queue.name, { ...delivery, deliveries }, reason);
    await this.#engine.log.ack(queue.stream, QUEUE_GROUP, delivery);
    this.#metrics?.deadLetters.inc({ reason });
    this.#log.warn(
      { app: queue.app, queue: queue.name, offset: delivery.offset, deliveries, reason },
      'queue entry moved to the dead letters',
    );
  }

  /** Acks deliveries by token; every token is checked before any is acked. */
  async ack(queue: QueueSettings, tokens: readonly string[]): Promise<number> {
    const inner = await this.#open(queue, tokens);
    await Promise.all(
      inner.map((token) => this.#engine.log.ack(queue.stream, QUEUE_GROUP, { token })),
    );
    this.#metrics?.acks.inc({ kind: 'ack' }, inner.length);
    return inner.length;
  }

  /** Hands deliveries out again after `delayMs`; every token is checked first. */
  async nack(queue: QueueSettings, tokens: readonly string[], delayMs: number): Promise<number> {
    const inner = await this.#open(queue, tokens);
    await Promise.all(
      inner.map((token) => this.#engine.log.nack(queue.stream, QUEUE_GROUP, { token }, delayMs)),
    );
    this.#metrics?.acks.inc({ kind: 'nack' }, inner.length);
    return inner.length;
  }

  async #open(queue: QueueSettings, tokens: readonly string[]): Promise<string[]> {
    const unique = [...new Set(tokens)];
    return Promise.all(unique.map((t) => this.#tokens.open(queue.app, queue.name, t)));
  }

  /** Ends every waiting pull (each answers what it has: nothing); the server is closing. */
  async close(): Promise<void> {
    this.#closing.abort();
    await this.#waker.close();
  }

  /** Depth, for the demo panel and operators. */
  async info(queue: QueueSettings): Promise<QueueInfo> {
    const [group, deadLetters] = await Promise.all([
      this.#engine.log.groupInfo(queue.stream, QUEUE_GROUP),
      this.deadLetters.count(queue.app, queue.name),
    ]);
    return {
      app: queue.app,
      queue: queue.name,
      backlog: group.backlog,
      pending: group.pending,
      deadLetters,
      ackWaitMs: queue.ackWaitMs,
      maxDeliveries: queue.maxDeliveries,
    };
  }
}
