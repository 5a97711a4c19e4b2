/**
 * How long a push that arrived ahead of its predecessor waits for it. Edits accepted by
 * different processes can cross on the way; past this the client gets the jump and rejoins.
 */
export const REORDER_WAIT_MS = 250;
/** Pushes held for one connection (before its snapshot, or waiting for a missing rev). */
export const MAX_HELD = 256;

/**
 * One connection's view of one space: pushes go out in `rev` order, each once, and only
 * after the connection's snapshot (those the snapshot already holds are dropped). A missing
 * rev is waited for up to {@link REORDER_WAIT_MS} (or until {@link MAX_HELD} pile up); then
 * the feed skips ahead, and the client, seeing the jump, rejoins.
 */
export class SpaceFeed<M extends { readonly rev: number }> {
  /** The space's generation this feed belongs to. */
  readonly gen: string;
  readonly #push: (message: M) => void;
  /** Last rev sent (the snapshot's, then each push's); undefined until the snapshot. */
  #rev: number | undefined;
  readonly #held = new Map<number, M>();
  #timer: NodeJS.Timeout | undefined;

  constructor(gen: string, push: (message: M) => void) {
    this.gen = gen;
    this.#push = push;
  }

  /** The snapshot at `rev` was sent: pushes from `rev + 1` on go out. */
  start(rev: number): void {
    this.#rev = rev;
    for (const held of this.#held.keys()) if (held <= rev) this.#held.delete(held);
    this.#drain(false);
  }

  receive(message: M): void {
    if (this.#rev !== undefined && message.rev <= this.#rev) return;
    this.#held.set(message.rev, message);
    if (this.#rev === undefined) {
      if (this.#held.size > MAX_HELD) this.#held.delete(Math.min(...this.#held.keys()));
      return;
    }
    this.#drain(false);
  }

  /** No more pushes. */
  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#held.clear();
    this.#rev = undefined;
  }

  #drain(force: boolean): void {
    while (this.#held.size > 0 && this.#rev !== undefined) {
      const next = this.#held.get(this.#rev + 1);
      if (next === undefined) {
        if (!force && this.#held.size <= MAX_HELD) {
          this.#timer ??= setTimeout(() => {
            this.#timer = undefined;
            this.#drain(true);
          }, REORDER_WAIT_MS);
          return;
        }
        this.#rev = Math.min(...this.#held.keys()) - 1;
        continue;
      }
      this.#held.delete(next.rev);
      this.#rev = next.rev;
      this.#push(next);
    }
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
