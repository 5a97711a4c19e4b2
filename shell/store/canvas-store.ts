import type { CanvasState } from './canvas-state.ts';

/**
 * Where a canvas is saved. The elements never touch storage: a {@link CanvasSync}
 * drives a store, so a server-backed store is one more class with these three methods.
 */
export interface CanvasStore {
  /** The saved canvas `id`, or `undefined` when there is none (or it expired). */
  load(id: string): Promise<CanvasState | undefined>;
  /** Saves canvas `id`, replacing what was there. */
  save(id: string, state: CanvasState): Promise<void>;
  /**
   * Calls `listener` with each save of canvas `id` made elsewhere (another tab, another
   * client of a server) — never with this store's own saves. Returns an unsubscribe function.
   */
  subscribe(id: string, listener: (state: CanvasState) => void): () => void;
}
