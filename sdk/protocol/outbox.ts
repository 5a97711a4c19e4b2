/**
 * Serialized operations waiting to leave on a port. Everything pushed in one turn reaches
 * `flush` together, on a microtask, so that it travels as one port message
 * (docs/decisions/0002-batching.md). The one batcher of both ends: the SDK's client and each
 * of the broker's connections keep one; what a flush does (split at the broker's bounds,
 * hold back for flow control, count bytes) is the owner's. Kept this small because it ships
 * in every widget.
 */
export class Outbox {
  /** The queued parts, oldest first; the owner may replace one in place. */
  parts: string[] = [];
  readonly #flush: () => void;
  #armed = false;

  /** @param flush called on a microtask after a push; it {@link take}s what it can send. */
  constructor(flush: () => void) {
    this.#flush = flush;
  }

  /** Queues one part and returns its index in {@link parts} until the next {@link take}. */
  push(part: string): number {
    this.schedule();
    return this.parts.push(part) - 1;
  }

  /** Runs `flush` on a microtask, once however often it is asked in one turn. */
  schedule(): void {
    if (this.#armed) return;
    this.#armed = true;
    queueMicrotask(() => {
      this.#armed = false;
      this.#flush();
    });
  }

  /** Everything queued; the outbox is empty afterwards. */
  take(): string[] {
    const parts = this.parts;
    this.parts = [];
    return parts;
  }
}
