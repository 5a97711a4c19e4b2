import { McError, isErrorCode } from '../../sdk/protocol/errors.ts';
import {
  MAX_ACK_TOKENS,
  MAX_NACK_DELAY_MS,
  MAX_PULL,
  MAX_PULL_WAIT_MS,
  PullResponseSchema,
  type QueueDelivery,
} from '../../sdk/protocol/queues.ts';

/** Options of {@link consume}. */
export interface QueueConsumerOptions {
  /** The microcanvas server: `https://canvas.example.com`. */
  readonly url: string;
  readonly app: string;
  readonly queue: string;
  /** The app's credential, `mcapp_…` (sent as `Authorization: Bearer`). */
  readonly credential: string;
  /** Handler calls running at once; the consumer pulls only for free ones. Default 4. */
  readonly concurrency?: number;
  /**
   * Handles one delivery. Resolving acks it; throwing (or rejecting) nacks it, and it comes
   * back after {@link retryDelayMs}. The same event may come more than once (at least once):
   * make the handler idempotent by `delivery.id`.
   */
  readonly handler: (delivery: QueueDelivery) => unknown;
  /** How long one pull waits on the server for events. Default 10 s (at most 20 s). */
  readonly waitMs?: number;
  /** The nack delay of a failed delivery. Default 1 s, doubling per delivery, at most 60 s. */
  readonly retryDelayMs?: (deliveries: number) => number;
  /**
   * Told of failures: those that do not stop consuming (a pull, an ack, a handler's error),
   * and the refusal that does (then `done` rejects with it too).
   */
  readonly onError?: (error: Error) => void;
}

/** What {@link consume} returns. */
export interface QueueConsumer {
  /** Counters, for logs and tests. */
  readonly stats: { pulled: number; acked: number; nacked: number; failed: number };
  /**
   * Stops pulling, lets the handler calls in flight finish and sends their acks and nacks.
   * Deliveries pulled but never handled come back to another consumer after the ack wait.
   */
  stop(): Promise<void>;
  /** Settles when the consumer stopped: rejects when it stopped on a fatal refusal (401, 403, 404). */
  readonly done: Promise<void>;
}

/** Refusals that no retry can fix: the consumer stops with them. */
const FATAL = new Set(['UNAUTHENTICATED', 'NOT_PERMITTED', 'NOT_FOUND', 'INVALID_ARGUMENT']);
const PULL_RETRY_MIN_MS = 200;
const PULL_RETRY_MAX_MS = 5_000;

const defaultRetryDelay = (deliveries: number): number =>
  Math.min(60_000, 1_000 * 2 ** Math.max(0, deliveries - 1));

/**
 * Consumes an app's queue (docs/backends.md, "Queues") with backpressure: it pulls only as
 * many deliveries as it has free handler slots, so a slow handler slows the pulls and never
 * piles deliveries up in memory. Acks are sent in batches as handlers resolve.
 *
 * ```ts
 * const consumer = consume({ url, app: 'chat', queue: 'todos', credential, concurrency: 8,
 *   handler: async ({ event }) => { await record(JSON.parse(event.data)); } });
 * process.on('SIGTERM', () => void consumer.stop());
 * ```
 */
export function consume(options: QueueConsumerOptions): QueueConsumer {
  return new Consumer(options);
}

class Consumer implements QueueConsumer {
  readonly stats = { pulled: 0, acked: 0, nacked: 0, failed: 0 };
  readonly done: Promise<void>;
  readonly #o: QueueConsumerOptions;
  readonly #base: string;
  readonly #concurrency: number;
  readonly #waitMs: number;
  readonly #retryDelay: (deliveries: number) => number;
  readonly #stopping = new AbortController();
  readonly #inFlight = new Set<Promise<void>>();
  /** Tokens to ack, and to nack by delay, sent together once the current turn ends. */
  #acks: string[] = [];
  #nacks = new Map<number, string[]>();
  #flushing: Promise<void> | undefined;
  #slotFreed: (() => void) | undefined;

  constructor(options: QueueConsumerOptions) {
    this.#o = options;
    this.#base = `${options.url.replace(/\/+$/, '')}/queues/${encodeURIComponent(options.app)}/${encodeURIComponent(options.queue)}`;
    this.#concurrency = Math.max(1, Math.floor(options.concurrency ?? 4));
    this.#waitMs = Math.min(MAX_PULL_WAIT_MS, Math.max(0, options.waitMs ?? 10_000));
    this.#retryDelay = options.retryDelayMs ?? defaultRetryDelay;
    this.done = this.#run();
    // `done` rejecting is the caller's business; do not let it crash the process unobserved.
    this.done.catch(() => {});
  }

  async stop(): Promise<void> {
    this.#stopping.abort();
    this.#slotFreed?.();
    await this.done.catch(() => {});
  }

  async #run(): Promise<void> {
    let retryMs = PULL_RETRY_MIN_MS;
    try {
      while (!this.#stopping.signal.aborted) {
        const free = this.#concurrency - this.#inFlight.size;
        if (free === 0) {
          await new Promise<void>((resolve) => (this.#slotFreed = resolve));
          continue;
        }
        let deliveries: QueueDelivery[];
        try {
          deliveries = await this.#pull(Math.min(free, MAX_PULL));
          retryMs = PULL_RETRY_MIN_MS;
        } catch (error) {
          if (this.#stopping.signal.aborted) break;
          if (error instanceof McError && FATAL.has(error.code)) {
            this.#report(error);
            throw error;
          }
          this.#report(error);
          await sleep(retryMs, this.#stopping.signal);
          retryMs = Math.min(PULL_RETRY_MAX_MS, retryMs * 2);
          continue;
        }
        this.stats.pulled += deliveries.length;
        for (const delivery of deliveries) this.#start(delivery);
      }
    } finally {
      await Promise.allSettled([...this.#inFlight]);
      await this.#flushing;
      await this.#flush();
    }
  }

  #start(delivery: QueueDelivery): void {
    const run = (async () => {
      try {
        await this.#o.handler(delivery);
        this.#acks.push(delivery.token);
      } catch (error) {
        this.stats.failed++;
        this.#report(error);
        const delay = Math.min(
          MAX_NACK_DELAY_MS,
          Math.max(0, this.#retryDelay(delivery.deliveries)),
        );
        const list = this.#nacks.get(delay) ?? [];
        list.push(delivery.token);
        this.#nacks.set(delay, list);
      }
      this.#scheduleFlush();
    })();
    this.#inFlight.add(run);
    void run.finally(() => {
      this.#inFlight.delete(run);
      const wake = this.#slotFreed;
      this.#slotFreed = undefined;
      wake?.();
    });
  }

  #scheduleFlush(): void {
    if (this.#flushing !== undefined) return;
    this.#flushing = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.#flush())
      .finally(() => (this.#flushing = undefined));
  }

  /** Sends the acks and nacks collected so far. A lost ack only means a redelivery. */
  async #flush(): Promise<void> {
    while (this.#acks.length > 0 || this.#nacks.size > 0) {
      const acks = this.#acks.splice(0, MAX_ACK_TOKENS);
      const nacks = [...this.#nacks];
      this.#nacks = new Map();
      const sends: Array<Promise<void>> = [];
      if (acks.length > 0) {
        sends.push(
          this.#post('ack', { tokens: acks }).then(() => void (this.stats.acked += acks.length)),
        );
      }
      for (const [delayMs, tokens] of nacks) {
        sends.push(
          this.#post('nack', { tokens, delayMs }).then(
            () => void (this.stats.nacked += tokens.length),
          ),
        );
      }
      for (const result of await Promise.allSettled(sends)) {
        if (result.status === 'rejected') this.#report(result.reason);
      }
    }
  }

  async #pull(max: number): Promise<QueueDelivery[]> {
    const body = await this.#post('pull', { max, waitMs: this.#waitMs }, this.#stopping.signal);
    const parsed = PullResponseSchema.safeParse(body);
    if (!parsed.success) throw new McError('MALFORMED_MESSAGE', 'the pull answer is not one');
    return parsed.data.deliveries;
  }

  async #post(what: string, body: unknown, signal?: AbortSignal): Promise<unknown> {
    const res = await fetch(`${this.#base}/${what}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${this.#o.credential}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify(body),
      ...(signal === undefined ? {} : { signal }),
    });
    const answer = (await res.json().catch(() => undefined)) as
      { error?: { code?: unknown; message?: unknown } } | undefined;
    if (res.ok) return answer;
    const code = answer?.error?.code;
    throw new McError(
      isErrorCode(code) ? code : 'STORAGE_UNAVAILABLE',
      `${what}: ${res.status} ${String(answer?.error?.message ?? res.statusText)}`,
    );
  }

  #report(error: unknown): void {
    const onError = this.#o.onError;
    if (onError === undefined) return;
    try {
      onError(error instanceof Error ? error : new Error(String(error)));
    } catch {
      // A throwing error callback must not stop the consumer.
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
