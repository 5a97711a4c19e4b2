import type { CanvasState } from '../store/canvas-state.ts';
import type { CanvasStore } from '../store/canvas-store.ts';

/**
 * `store` as a cache of this tab's canvas only: it loads and saves, but hears no other tab.
 * With a server, give it to the canvas's `CanvasPersistence`: each tab is then a client of the
 * server, which alone merges copies, and a tab's change arrives once (as a server push), not
 * also as a tab copy that would be sent back as an edit of its own (docs/sync.md).
 */
export function cacheOnly(store: CanvasStore): CanvasStore {
  return {
    load: (id: string): Promise<CanvasState | undefined> => store.load(id),
    save: (id: string, state: CanvasState): Promise<void> => store.save(id, state),
    subscribe: () => () => {},
  };
}
