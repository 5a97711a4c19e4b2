import type { CanvasState } from './canvas-state.ts';
import type { CanvasStore } from './canvas-store.ts';

/** What several {@link MemoryStore}s share, like the tabs of one browser share IndexedDB. */
export class MemoryBacking {
  readonly data = new Map<string, CanvasState>();
  readonly listeners = new Set<{
    store: MemoryStore;
    id: string;
    listener: (state: CanvasState) => void;
  }>();
}

/**
 * A {@link CanvasStore} in memory: for tests, and for pages that want no persistence.
 * Stores built on one {@link MemoryBacking} see each other's saves, as two tabs would.
 */
export class MemoryStore implements CanvasStore {
  constructor(readonly backing: MemoryBacking = new MemoryBacking()) {}

  load(id: string): Promise<CanvasState | undefined> {
    const state = this.backing.data.get(id);
    return Promise.resolve(state ? structuredClone(state) : undefined);
  }

  save(id: string, state: CanvasState): Promise<void> {
    this.backing.data.set(id, structuredClone(state));
    for (const entry of this.backing.listeners) {
      // Delivered asynchronously, like a BroadcastChannel message.
      if (entry.id === id && entry.store !== this) {
        queueMicrotask(() => entry.listener(structuredClone(state)));
      }
    }
    return Promise.resolve();
  }

  subscribe(id: string, listener: (state: CanvasState) => void): () => void {
    const entry = { store: this, id, listener };
    this.backing.listeners.add(entry);
    return () => this.backing.listeners.delete(entry);
  }
}
