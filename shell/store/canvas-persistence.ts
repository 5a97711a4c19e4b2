import { CanvasSync, type SyncHost } from './canvas-sync.ts';
import type { CanvasLike } from '../model/canvas-model.ts';
import type { CanvasStore } from './canvas-store.ts';
import { IndexedDbStore } from './indexeddb-store.ts';

/** Options of a {@link CanvasPersistence}. */
export interface CanvasPersistenceOptions {
  /** Where to save; default an {@link IndexedDbStore} (IndexedDB, 30-day expiry, other tabs). */
  store?: CanvasStore;
  /** The canvas's key in the store; default `default`. */
  id?: string;
  /** Apps whose public state is saved with the layout and put back into the broker on restore. */
  persistStates?: readonly string[];
  /** Coalesces bursts of public state updates into one save (layout edits save at once). */
  saveDelayMs?: number;
  /** Told about a failed load or save (storage full, blocked, private mode). */
  onError?: (error: unknown) => void;
}

/** What a persistence follows: a canvas (`<mc-canvas>` or its model) and its host's states. */
export type PersistedCanvas = CanvasLike<SyncHost>;

/** Default coalescing delay between a public state change and its save. */
export const SAVE_DELAY_MS = 150;

/**
 * Keeps one canvas saved in a {@link CanvasStore} and equal across the tabs that show it: a
 * {@link CanvasSync} of the layout and the chosen public states, on IndexedDB by default.
 * Concurrent edits: per entry (the layout; each app's state), the latest `(at, tab)` wins
 * everywhere (docs/canvas.md). Closes the store it made itself on `stop()`.
 */
export class CanvasPersistence extends CanvasSync {
  /** The store this persistence made itself, and so closes on `stop()`. */
  readonly #ownStore: IndexedDbStore | undefined;

  constructor(canvas: PersistedCanvas, options: CanvasPersistenceOptions = {}) {
    const ownStore = options.store ? undefined : new IndexedDbStore();
    super(canvas, {
      store: options.store ?? ownStore!,
      id: options.id,
      states: options.persistStates,
      saveDelayMs: options.saveDelayMs ?? SAVE_DELAY_MS,
      onError: options.onError,
    });
    this.#ownStore = ownStore;
  }

  /**
   * Stops saving and following other tabs (the canvas is left as it is), and closes the
   * store when this persistence created it.
   */
  override stop(): void {
    super.stop();
    this.#ownStore?.close();
  }
}
