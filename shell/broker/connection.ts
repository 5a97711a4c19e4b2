import { encodeBrokerOp } from '../../sdk/protocol/encode-broker-op.ts';
import { Outbox, type AppLimits } from '../../sdk/protocol/index.ts';
import { TokenBucket } from '../shared/token-bucket.ts';
import type { BrokerPort } from './broker-port.ts';
import type { Grants } from './grants.ts';

/**
 * Operations sent to a client and not yet acknowledged before the broker holds further ones.
 * The SDK acknowledges each batch once it has handled it, and a batch holds up to 1,024
 * operations: a window of one batch left the pipe idle for a whole round trip after every
 * batch of a burst, so it is four batches deep (see docs/decisions/0005-broker-hot-path.md).
 */
export const SUBSCRIBER_WINDOW = 4096;
/**
 * Operations held for a client that has stopped acknowledging for {@link SLOW_CONSUMER_MS}:
 * past this, events are dropped with a gap notice.
 */
export const SUBSCRIBER_QUEUE = 4096;
/** Bytes held for a client that is behind. */
export const SUBSCRIBER_QUEUE_BYTES = 4 * 1024 * 1024;
/**
 * A client whose last acknowledgement is this recent is keeping up, only briefly behind a
 * burst (its ack may sit in the broker's own queue behind the publisher's batches): it may
 * be held up to {@link BURST_QUEUE} operations before anything is dropped.
 */
export const SLOW_CONSUMER_MS = 1000;
/** The hard bound on operations held for any client, slow or not. */
export const BURST_QUEUE = 65_536;

/** Asynchronous error replies a client gets per second at most; further refusals are only logged. */
export const ERROR_REPLIES_PER_SECOND = 20;

/**
 * One client's private port as the broker sees it: who it is (fixed at attach time), what
 * it may do, what it subscribed to, and its outbound queue. Everything queued in one turn
 * leaves as one port message on a microtask; a newer state version for the same watch
 * replaces the queued one, so slow readers see the latest rather than every step.
 *
 * A client acknowledges what it processed. While {@link SUBSCRIBER_WINDOW} operations are
 * unacknowledged the broker holds further ones (a slow consumer never delays the others),
 * and past {@link SUBSCRIBER_QUEUE} it drops events and tells the client how many it missed.
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
  /** Refusals for rate so far, never reset: the broker compares it across one message. */
  rateRefusals = 0;
  /** Port messages with a refusal for rate since {@link messagesSince}. */
  refusedMessages = 0;
  messagesSince = Number.NEGATIVE_INFINITY;
  suspended = false;
  /**
   * The last round trip to this client in ms: from a batch sent while nothing was
   * outstanding (or the previous acknowledgement) to the acknowledgement that follows.
   */
  rttMs = 0;
  readonly #out = new Outbox(() => this.#flush());
  /** The length of what {@link #out} holds, in UTF-16 code units. */
  #outBytes = 0;
  /** Per watch, the index in {@link #out} of its state update still waiting. */
  readonly #pendingState = new Map<number, number>();
  #closed = false;
  #unacked = 0;
  /** When the client last caught up (an ack, or nothing outstanding). */
  #progressAt: number;
  readonly #now: () => number;
  #dropped = 0;
  /** Drops not yet reported to the client. */
  #gap = 0;

  constructor(
    readonly id: string,
    readonly appId: string,
    readonly grants: Grants,
    readonly limits: AppLimits,
    readonly port: BrokerPort,
    now: () => number,
    readonly discard: (port: BrokerPort) => void = (p) => p.close(),
  ) {
    this.#now = now;
    this.#progressAt = now();
    this.events = new TokenBucket(limits.eventsPerSecond, limits.burst, now);
    this.bytes = new TokenBucket(limits.bytesPerSecond, limits.bytesPerSecond, now);
    this.replies = new TokenBucket(ERROR_REPLIES_PER_SECOND, ERROR_REPLIES_PER_SECOND, now);
  }

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * True when this client has stopped reading: a whole window is unacknowledged and the
   * queue behind it is past the hard bounds ({@link BURST_QUEUE} operations or four times
   * {@link SUBSCRIBER_QUEUE_BYTES}). A client that reads may have more queued for a moment
   * (many answers to one batch), but its window is open, so that queue leaves at once.
   */
  get backlogged(): boolean {
    // Strictly past: events alone stop at the bounds (sendEvent), only replies go beyond.
    const over =
      this.#out.parts.length > BURST_QUEUE || this.#outBytes > SUBSCRIBER_QUEUE_BYTES * 4;
    return over && this.#unacked >= SUBSCRIBER_WINDOW;
  }

  /** Events dropped for this client so far because it fell behind. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Operations waiting to be sent (for devtools). */
  get queued(): number {
    return this.#out.parts.length;
  }

  /** Operations sent and not yet acknowledged (for devtools). */
  get unacked(): number {
    return this.#unacked;
  }

  /** Queues one serialized broker operation (never dropped: replies and errors). */
  send(part: string): void {
    if (this.#closed) return;
    this.#outBytes += part.length;
    this.#out.push(part);
  }

  /**
   * Queues an event, or drops it when this client is too far behind. `now` is the time the
   * publisher's batch arrived, read once for all the events it delivers.
   */
  sendEvent(part: string, now: number = this.#now()): boolean {
    const keepingUp = now - this.#progressAt < SLOW_CONSUMER_MS;
    const [maxOps, maxBytes] = keepingUp
      ? [BURST_QUEUE, SUBSCRIBER_QUEUE_BYTES * 4]
      : [SUBSCRIBER_QUEUE, SUBSCRIBER_QUEUE_BYTES];
    if (this.#out.parts.length >= maxOps || this.#outBytes + part.length > maxBytes) {
      this.#dropped++;
      this.#gap++;
      return false;
    }
    this.send(part);
    return true;
  }

  /** Tells the client, with its next batch, that it missed events (history lost upstream). */
  lost(): void {
    this.#gap++;
    this.#out.schedule();
  }

  /**
   * The client processed `n` operations. False when it claims more than it was sent: a
   * real client never does, so the broker treats it like any other refused input.
   */
  ack(n: number): boolean {
    if (n > this.#unacked) return false;
    this.#unacked -= n;
    const now = this.#now();
    this.rttMs = now - this.#progressAt;
    this.#progressAt = now;
    if (this.#out.parts.length > 0 || this.#gap > 0) this.#out.schedule();
    return true;
  }

  /** Queues a state update for a watch, replacing one still waiting for the same watch. */
  sendState(watchId: number, part: string): void {
    if (this.#closed) return;
    const index = this.#pendingState.get(watchId);
    if (index === undefined) {
      this.#outBytes += part.length;
      this.#pendingState.set(watchId, this.#out.push(part));
    } else {
      this.#outBytes += part.length - this.#out.parts[index]!.length;
      this.#out.parts[index] = part;
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#out.take();
    this.#outBytes = 0;
    this.#pendingState.clear();
    this.port.onmessage = null;
    this.discard(this.port);
  }

  #flush(): void {
    if (this.#closed || this.#unacked >= SUBSCRIBER_WINDOW) return;
    const out = this.#out.take();
    this.#outBytes = 0;
    this.#pendingState.clear();
    if (this.#gap > 0) {
      out.unshift(encodeBrokerOp({ op: 'gap', dropped: this.#gap }));
      this.#gap = 0;
    }
    if (out.length === 0) return;
    const batch = `[${out.join(',')}]`;
    if (this.#unacked === 0) this.#progressAt = this.#now();
    this.#unacked += out.length;
    try {
      this.port.postMessage(batch);
    } catch {
      // A port whose other end is gone must not stop delivery to anyone else.
      this.close();
    }
  }
}
