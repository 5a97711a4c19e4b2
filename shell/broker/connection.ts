import type { AppLimits } from '../../sdk/protocol/index.ts';
import type { BrokerPort } from './broker-port.ts';
import type { Grants } from './grants.ts';
import { TokenBucket } from './token-bucket.ts';

/** Asynchronous error replies a client gets per second at most; further refusals are only logged. */
export const ERROR_REPLIES_PER_SECOND = 20;

/**
 * One client's private port as the broker sees it: who it is (fixed at attach time), what
 * it may do, what it subscribed to, and its outbound batch. Everything queued in one turn
 * leaves as one port message on a microtask; a newer state version for the same watch
 * replaces the queued one, so slow readers see the latest rather than every step.
 */
export class Connection {
  readonly subscriptions = new Map<number, string>();
  readonly watches = new Map<number, string>();
  readonly events: TokenBucket;
  readonly bytes: TokenBucket;
  /** Error replies are metered too, so a client cannot make the broker flood it back. */
  readonly replies: TokenBucket;
  /** Consecutive refusals for rate; the broker suspends a client that keeps flooding. */
  strikes = 0;
  suspended = false;
  #out: string[] = [];
  readonly #pendingState = new Map<number, number>();
  #scheduled = false;
  #closed = false;

  constructor(
    readonly id: string,
    readonly appId: string,
    readonly grants: Grants,
    readonly limits: AppLimits,
    readonly port: BrokerPort,
    now: () => number,
  ) {
    this.events = new TokenBucket(limits.eventsPerSecond, limits.burst, now);
    this.bytes = new TokenBucket(limits.bytesPerSecond, limits.bytesPerSecond, now);
    this.replies = new TokenBucket(ERROR_REPLIES_PER_SECOND, ERROR_REPLIES_PER_SECOND, now);
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Queues one serialized broker operation. */
  send(part: string): void {
    if (this.#closed) return;
    this.#out.push(part);
    this.#schedule();
  }

  /** Queues a state update for a watch, replacing one still waiting for the same watch. */
  sendState(watchId: number, part: string): void {
    if (this.#closed) return;
    const index = this.#pendingState.get(watchId);
    if (index !== undefined) {
      this.#out[index] = part;
      return;
    }
    this.#pendingState.set(watchId, this.#out.length);
    this.#out.push(part);
    this.#schedule();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#out = [];
    this.#pendingState.clear();
    this.port.onmessage = null;
    this.port.close();
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    queueMicrotask(() => this.#flush());
  }

  #flush(): void {
    this.#scheduled = false;
    if (this.#closed || this.#out.length === 0) return;
    const batch = `[${this.#out.join(',')}]`;
    this.#out = [];
    this.#pendingState.clear();
    try {
      this.port.postMessage(batch);
    } catch {
      // A port whose other end is gone must not stop delivery to anyone else.
      this.close();
    }
  }
}
