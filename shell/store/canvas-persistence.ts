import type { StateVersion, Subscription } from '../../sdk/client.ts';
import type { Host } from '../host/host.ts';
import type { CanvasLike, Placement, Slot } from '../model/canvas-model.ts';
import { isNewer, type CanvasState } from './canvas-state.ts';
import type { CanvasStore } from './canvas-store.ts';
import { IndexedDbStore } from './indexeddb-store.ts';

/** Options of a {@link CanvasPersistence}. */
export interface CanvasPersistenceOptions {
  /** Where to save; default an {@link IndexedDbStore} (IndexedDB, 30-day expiry). */
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
export type PersistedCanvas = CanvasLike<
  CanvasLike['host'] & Pick<Host, 'manifest' | 'state' | 'adoptState'>
>;

/** Default coalescing delay between a change and its save. */
export const SAVE_DELAY_MS = 150;

/**
 * Keeps one `<mc-canvas>` saved in a {@link CanvasStore}: restores it on start, saves every
 * layout change (and the chosen public states) shortly after it happens, and applies saves
 * made by other tabs of the same canvas. Concurrent edits: the whole canvas is one record
 * and the latest save, by `(savedAt, tab)`, wins everywhere (docs/canvas.md).
 */
export class CanvasPersistence {
  /** This tab's id, the tie-breaker of concurrent saves. */
  readonly tab = crypto.randomUUID();
  readonly #canvas: PersistedCanvas;
  readonly #store: CanvasStore;
  readonly #id: string;
  readonly #apps: readonly string[];
  readonly #delay: number;
  readonly #onError: (error: unknown) => void;
  readonly #states = new Map<string, string>();
  readonly #watches: Subscription[] = [];
  #last: CanvasState | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #applying = false;
  #stopped = false;
  #unsubscribe: (() => void) | undefined;
  #stopLayout: (() => void) | undefined;
  /** The store this persistence made itself, and so closes on `stop()`. */
  readonly #ownStore: IndexedDbStore | undefined;

  constructor(canvas: PersistedCanvas, options: CanvasPersistenceOptions = {}) {
    this.#canvas = canvas;
    this.#ownStore = options.store ? undefined : new IndexedDbStore();
    this.#store = options.store ?? this.#ownStore!;
    this.#id = options.id ?? 'default';
    this.#apps = options.persistStates ?? [];
    this.#delay = options.saveDelayMs ?? SAVE_DELAY_MS;
    this.#onError = options.onError ?? (() => {});
  }

  /**
   * Loads the saved canvas and applies it (persisted public states first, so widgets and
   * readers find them when they connect); with nothing saved, mounts `defaults`. Then
   * starts saving changes and following other tabs. Resolves true when a save was restored.
   */
  async start(defaults: readonly Placement[] = []): Promise<boolean> {
    let saved: CanvasState | undefined;
    try {
      saved = await this.#store.load(this.#id);
    } catch (error) {
      this.#onError(error);
    }
    // stop() may come while the store loads: then nothing is applied or listened to.
    if (this.#stopped) return false;
    if (saved) await this.#apply(saved);
    else for (const placement of defaults) this.#canvas.mount(placement);
    if (this.#stopped) return saved !== undefined;
    this.#stopLayout = this.#canvas.onChange(this.#onLayout);
    for (const app of this.#apps) {
      this.#watches.push(this.#canvas.host.state.watch(app, this.#onState));
    }
    this.#unsubscribe = this.#store.subscribe(this.#id, (state) => void this.#onRemote(state));
    if (!saved) this.#schedule();
    return saved !== undefined;
  }

  /** Saves now instead of after the delay (e.g. on `pagehide`); does nothing after `stop()`. */
  async flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    // Stopped: its store may be closed, and nothing should be saved any more.
    if (this.#stopped) return;
    const state: CanvasState = {
      v: 1,
      slots: this.#canvas.layout.map(toSaved),
      states: Object.fromEntries(this.#states),
      savedAt: Math.max(Date.now(), (this.#last?.savedAt ?? 0) + 1),
      tab: this.tab,
    };
    this.#last = state;
    try {
      await this.#store.save(this.#id, state);
    } catch (error) {
      this.#onError(error);
    }
  }

  /**
   * Stops saving and following other tabs (the canvas is left as it is), and closes the
   * store when this persistence created it.
   */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#stopLayout?.();
    for (const stop of this.#watches.splice(0)) stop();
    this.#unsubscribe?.();
    this.#ownStore?.close();
  }

  #onLayout = (): void => {
    // Layout edits are few and deliberate (a gesture commits once, at its end): save them
    // at the end of this task, so a reload right after an edit does not lose it.
    if (!this.#applying) this.#schedule(0);
  };

  #onState = (state: StateVersion): void => {
    if (state.version === 0) return;
    const json = JSON.stringify(state.value);
    if (this.#states.get(state.app) === json) return;
    this.#states.set(state.app, json);
    if (!this.#applying) this.#schedule();
  };

  #schedule(delay = this.#delay): void {
    if (this.#stopped) return;
    if (this.#timer !== undefined && delay >= this.#delay) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.flush(), delay);
  }

  /** Another tab saved: apply it when it is newer than what this tab last saved or applied. */
  async #onRemote(state: CanvasState): Promise<void> {
    if (!isNewer(state, this.#last)) return;
    // A pending local save of an older edit would otherwise overwrite the newer remote one.
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#apply(state);
  }

  async #apply(state: CanvasState): Promise<void> {
    this.#last = state;
    const host = this.#canvas.host;
    this.#applying = true;
    try {
      for (const [app, json] of Object.entries(state.states)) {
        if (!this.#apps.includes(app) || !host.manifest(app)) continue;
        if (this.#states.get(app) === json) continue;
        this.#states.set(app, json);
        // A broker that is down or restarting must not stop the layout from coming back.
        await host.adoptState(app, json).catch(this.#onError);
      }
      // Apps no longer registered are left out rather than failing the whole restore.
      this.#canvas.layout = state.slots.filter((s) => host.manifest(s.app)).map(fromSaved);
    } finally {
      this.#applying = false;
    }
  }
}

function toSaved(slot: Slot): CanvasState['slots'][number] {
  const { slotId, app, x, y, width, height, config } = slot;
  return config === undefined
    ? { slotId, app, x, y, width, height }
    : {
        slotId,
        app,
        x,
        y,
        width,
        height,
        config: config as CanvasState['slots'][number]['config'],
      };
}

function fromSaved(slot: CanvasState['slots'][number]): Slot {
  return { ...slot };
}
