import type { RemoteEvent } from '../../sdk/protocol/index.ts';

/** Streams remembered at most: one per space the host follows, a handful in practice. */
const MAX_STREAMS = 256;

/**
 * Per stream (a space), the last offset delivered within its epoch: what keeps an event the
 * server sends again (a resume that overlaps, a resend after a reconnect) from reaching a
 * widget twice. An event of another epoch starts the stream afresh: its offsets are new.
 */
export class SyncCursors {
  readonly #last = new Map<string, { epoch: string; offset: number }>();

  /**
   * True, and remembered, when `event` comes after everything delivered from its stream.
   * The broker checked its fields' types.
   */
  fresh(event: RemoteEvent): boolean {
    const { space, epoch, offset } = event;
    const last = this.#last.get(space);
    if (last && last.epoch === epoch && offset <= last.offset) return false;
    if (!last && this.#last.size >= MAX_STREAMS) this.#last.clear();
    this.#last.set(space, { epoch, offset });
    return true;
  }

  /** Forgets a stream (its history was lost): the next event of any offset is fresh. */
  forget(space: string): void {
    this.#last.delete(space);
  }
}
