import type { Logger } from 'pino';

import { queueChannel } from '../delivery/types.ts';
import type { PubSub } from '../engine/index.ts';

/** How long a queue's subscription outlives its last waiting pull (consumers pull again). */
const LINGER_MS = 30_000;

interface Watch {
  readonly waiters: Set<() => void>;
  readonly ready: Promise<(() => Promise<void>) | undefined>;
  idle: NodeJS.Timeout | undefined;
}

/**
 * Wakes pulls waiting on an empty queue when the router announces an append to it (on the
 * queue's pub/sub channel, from any server process), so that an event reaches a waiting
 * consumer at once rather than at the next poll. Pub/sub is at most once: the poll stays,
 * as the fallback and for redeliveries, which nothing announces.
 */
export class QueueWaker {
  readonly #pubsub: PubSub;
  readonly #log: Logger;
  readonly #watches = new Map<string, Watch>();

  constructor(pubsub: PubSub, logger: Logger) {
    this.#pubsub = pubsub;
    this.#log = logger;
  }

  /** Resolves after `ms`, on an append to the queue, or when `signal` aborts. */
  wait(app: string, name: string, ms: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.resolve();
    const watch = this.#watch(app, name);
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        watch.waiters.delete(done);
        if (watch.waiters.size === 0) this.#linger(app, name, watch);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
      watch.waiters.add(done);
    });
  }

  /** Ends every subscription (server shutdown). */
  async close(): Promise<void> {
    const watches = [...this.#watches.values()];
    this.#watches.clear();
    for (const watch of watches) {
      clearTimeout(watch.idle);
      for (const wake of [...watch.waiters]) wake();
    }
    await Promise.allSettled(watches.map(async (w) => (await w.ready)?.()));
  }

  #watch(app: string, name: string): Watch {
    const channel = queueChannel(app, name);
    const existing = this.#watches.get(channel);
    if (existing !== undefined) {
      clearTimeout(existing.idle);
      existing.idle = undefined;
      return existing;
    }
    const waiters = new Set<() => void>();
    const ready = this.#pubsub
      .subscribe(channel, () => {
        for (const wake of [...waiters]) wake();
      })
      .catch((error: unknown) => {
        this.#log.warn({ err: error, app, queue: name }, 'queue wake-ups unavailable: polling');
        this.#watches.delete(channel);
        return undefined;
      });
    const watch: Watch = { waiters, ready, idle: undefined };
    this.#watches.set(channel, watch);
    return watch;
  }

  #linger(app: string, name: string, watch: Watch): void {
    clearTimeout(watch.idle);
    watch.idle = setTimeout(() => {
      const channel = queueChannel(app, name);
      if (watch.waiters.size > 0 || this.#watches.get(channel) !== watch) return;
      this.#watches.delete(channel);
      void watch.ready.then((unsubscribe) => unsubscribe?.()).catch(() => {});
    }, LINGER_MS);
    watch.idle.unref();
  }
}
