import { parseCanvasState, type CanvasState } from './canvas-state.ts';
import type { CanvasStore } from './canvas-store.ts';

/**
 * The tabs of this origin as a {@link CanvasStore}, over one BroadcastChannel: `save` tells
 * the other tabs, `subscribe` hears theirs (never its own), and `load` is the latest copy
 * this tab saved or heard. Nothing is written to disk. A tab that subscribes asks the others
 * for their copy (`hello`), so a tab opened later catches up without storage. What arrives
 * is checked like anything read from storage. Without BroadcastChannel, tabs do not sync.
 */
export class TabChannel implements CanvasStore {
  readonly #channel: BroadcastChannel | undefined;
  /** The latest copy of each canvas this tab saved or heard, for `load` and for `hello`. */
  readonly #latest = new Map<string, CanvasState>();
  readonly #listeners = new Set<{ id: string; listener: (state: CanvasState) => void }>();
  #closed = false;

  /** @param name the channel; tabs on the same name see each other's saves. */
  constructor(name: string) {
    this.#channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel(name) : undefined;
    this.#channel?.addEventListener('message', this.#onMessage);
  }

  load(id: string): Promise<CanvasState | undefined> {
    return Promise.resolve(this.#latest.get(id));
  }

  save(id: string, state: CanvasState): Promise<void> {
    this.#latest.set(id, state);
    this.#channel?.postMessage({ type: 'save', id, state });
    return Promise.resolve();
  }

  subscribe(id: string, listener: (state: CanvasState) => void): () => void {
    const entry = { id, listener };
    this.#listeners.add(entry);
    this.#channel?.postMessage({ type: 'hello', id });
    return () => this.#listeners.delete(entry);
  }

  /** Stops hearing and telling the other tabs. */
  close(): void {
    this.#closed = true;
    this.#listeners.clear();
    this.#channel?.removeEventListener('message', this.#onMessage);
    this.#channel?.close();
  }

  #onMessage = (event: MessageEvent): void => {
    const data = event.data as { type?: unknown; id?: unknown; state?: unknown } | null;
    if (typeof data !== 'object' || data === null || typeof data.id !== 'string') return;
    const { id } = data;
    if (data.type === 'hello') {
      const latest = this.#latest.get(id);
      if (latest) this.#channel?.postMessage({ type: 'save', id, state: latest });
      return;
    }
    if (data.type !== 'save') return;
    // Same-origin code sent it, but it is checked like anything read back from storage.
    // Parsed in arrival order: every parse waits on the same schema import (0012).
    // A schema chunk that failed to load drops this copy; the next save brings another.
    parseCanvasState(data.state).then(
      (state) => {
        if (!state || this.#closed) return;
        this.#latest.set(id, state);
        for (const entry of [...this.#listeners]) if (entry.id === id) entry.listener(state);
      },
      () => undefined,
    );
  };
}
