import type { StateVersion, Subscription } from '../../sdk/client.ts';
import type { Host } from '../host/host.ts';
import type { CanvasLike, ModelHost, Placement, Slot } from '../model/canvas-model.ts';
import {
  isNewer,
  nextStamp,
  parseCanvasState,
  type CanvasState,
  type SavedSlot,
  type Stamp,
} from './canvas-state.ts';
import type { CanvasStore } from './canvas-store.ts';

/** What a syncer needs of a host: manifests, and the public states it watches and adopts. */
export type SyncHost = ModelHost & Pick<Host, 'manifest' | 'state' | 'adoptState'>;

/** What a syncer follows: a canvas (`<mc-canvas>` or its model), or a host alone (no layout). */
export type SyncSource = CanvasLike<SyncHost> | { readonly host: SyncHost };

/** Options of a {@link CanvasSync}. */
export interface CanvasSyncOptions {
  /** Where copies of the canvas meet: storage and other tabs (`IndexedDbStore`), tabs only (`TabChannel`), a server. */
  store: CanvasStore;
  /** The canvas's key in the store; default `default`. */
  id?: string;
  /** Apps whose public state is synced (and put back into the broker when another copy's is newer). */
  states?: readonly string[];
  /** Coalesces bursts of public state updates into one save (layout edits save at once). */
  saveDelayMs?: number;
  /** Told about a failed load or save (storage full, blocked, private mode). */
  onError?: (error: unknown) => void;
}

/**
 * The one mechanism that keeps copies of a canvas equal — this tab's, the saved one, other
 * tabs', later a server's: a {@link CanvasState} of stamped entries (the layout; each chosen
 * app's public state), written to a {@link CanvasStore} shortly after a local change and
 * merged with every copy the store brings. The rule, entry by entry: the higher `(at, tab)`
 * wins ({@link isNewer}), so every copy converges on the same value whatever the order of
 * arrival, and edits of different entries in two tabs at once both survive. A copy that
 * lacks something this one has newer is answered with this one's merged copy, so storage
 * and late tabs converge too. Applying a copy never stamps anything, so nothing echoes.
 */
export class CanvasSync {
  /** This tab's id, the tie-breaker of concurrent writes. */
  readonly tab = crypto.randomUUID();
  readonly #source: SyncSource;
  /** The source when it has a layout to sync. */
  readonly #canvas: CanvasLike<SyncHost> | undefined;
  readonly #store: CanvasStore;
  readonly #id: string;
  readonly #apps: readonly string[];
  readonly #delay: number;
  readonly #onError: (error: unknown) => void;
  readonly #watches: Subscription[] = [];
  /** This copy: every entry as far as this tab knows, its own and others'. */
  #doc: CanvasState = { v: 2, states: {} };
  #timer: ReturnType<typeof setTimeout> | undefined;
  #applying = false;
  #stopped = false;
  /** The store could not be read at start: nothing is saved over it until it has been. */
  #unread = false;
  #stops: Array<() => void> = [];

  constructor(source: SyncSource, options: CanvasSyncOptions) {
    this.#source = source;
    this.#canvas = 'onChange' in source ? source : undefined;
    this.#store = options.store;
    this.#id = options.id ?? 'default';
    this.#apps = options.states ?? [];
    this.#delay = options.saveDelayMs ?? 0;
    this.#onError = options.onError ?? (() => {});
  }

  /**
   * Loads the stored copy and applies it (public states first, so widgets and readers find
   * them when they connect); with no layout stored, mounts `defaults`. Then saves local
   * changes and merges other copies. Resolves true when a stored copy was applied.
   */
  async start(defaults: readonly Placement[] = []): Promise<boolean> {
    // null: the store could not be read (not the same as holding nothing).
    let stored: CanvasState | null | undefined;
    try {
      stored = await parseCanvasState(await this.#store.load(this.#id));
    } catch (error) {
      stored = null;
      this.#unread = true;
      this.#onError(error);
    }
    // stop() may come while the store loads: then nothing is applied or listened to.
    if (this.#stopped) return false;
    const canvas = this.#canvas;
    if (stored) await this.#merge(stored);
    // A copy with states but no layout (saved by a syncer of states only) still gets the defaults.
    if (canvas && !stored?.layout) for (const placement of defaults) canvas.mount(placement);
    if (this.#stopped) return !!stored;
    if (canvas) {
      this.#stops.push(canvas.onChange(this.#onLayout));
      // Defaults are saved only over a store known to hold no layout: a load that failed (an
      // open that timed out on a busy machine) must not overwrite the user's saved canvas.
      if (!stored?.layout && stored !== null) this.#onLayout();
    }
    for (const app of this.#apps) {
      this.#watches.push(this.#source.host.state.watch(app, this.#onState));
    }
    this.#stops.push(
      this.#store.subscribe(this.#id, (state) => void this.#onRemote(state).catch(this.#onError)),
    );
    return !!stored;
  }

  /** Saves now instead of after the delay (e.g. on `pagehide`); does nothing after `stop()`. */
  async flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    // Stopped: its store may be closed, and nothing should be saved any more.
    if (this.#stopped) return;
    // An empty copy would only replace what storage holds with nothing.
    if (!this.#doc.layout && !Object.keys(this.#doc.states)[0]) return;
    if (this.#unread && !(await this.#read())) return;
    try {
      await this.#store.save(this.#id, this.#doc);
    } catch (error) {
      this.#onError(error);
    }
  }

  /**
   * Reads the store that could not be read at start (an IndexedDB open that timed out on a
   * busy machine). What it holds wins over what was shown meanwhile (defaults, and edits made
   * on them): those were never the user's canvas. Resolves false while it still cannot be
   * read, and then nothing is saved, since a save replaces the whole stored copy.
   */
  async #read(): Promise<boolean> {
    let stored: CanvasState | undefined;
    try {
      stored = await parseCanvasState(await this.#store.load(this.#id));
    } catch (error) {
      this.#onError(error);
      return false;
    }
    if (this.#stopped) return false;
    this.#unread = false;
    if (stored) {
      // Forget this copy's entries that the store has, so that the store's win the merge.
      const states = { ...this.#doc.states };
      for (const app in stored.states) delete states[app];
      const layout = stored.layout ? undefined : this.#doc.layout;
      this.#doc = { v: 2, states, ...(layout ? { layout } : {}) };
      await this.#merge(stored);
    }
    return !this.#stopped;
  }

  /** Stops saving and merging (the canvas and the broker are left as they are). */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const stop of this.#stops.splice(0)) stop();
    for (const stop of this.#watches.splice(0)) stop();
  }

  #onLayout = (): void => {
    const canvas = this.#canvas;
    if (this.#applying || !canvas) return;
    const slots = canvas.layout.map(toSaved);
    this.#doc = { ...this.#doc, layout: { slots, ...nextStamp(this.tab, this.#doc.layout) } };
    // Layout edits are few and deliberate (a gesture commits once, at its end): save them
    // at the end of this task, so a reload right after an edit does not lose it.
    this.#schedule(0);
  };

  #onState = (state: StateVersion): void => {
    if (state.version === 0) return;
    const json = JSON.stringify(state.value);
    const current = this.#doc.states[state.app];
    // The echo of a value adopted from another copy is not a new write.
    if (current?.json === json) return;
    const entry = { json, ...nextStamp(this.tab, current) };
    this.#doc = { ...this.#doc, states: { ...this.#doc.states, [state.app]: entry } };
    this.#schedule();
  };

  #schedule(delay = this.#delay): void {
    if (this.#stopped) return;
    if (this.#timer !== undefined && delay >= this.#delay) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.flush(), delay);
  }

  /** Another copy arrived: take its newer entries; answer it if this copy has newer ones. */
  async #onRemote(received: CanvasState): Promise<void> {
    // Checked again whatever the store: a version 1 copy is read as version 2.
    const state = await parseCanvasState(received);
    if (this.#stopped || !state) return;
    const behind = await this.#merge(state);
    if (behind) this.#schedule(0);
  }

  /**
   * Takes every entry of `state` newer than this copy's and applies it (states into the
   * broker first, then the layout). Resolves true when `state` lacks something newer that
   * this copy has.
   */
  async #merge(state: CanvasState): Promise<boolean> {
    const host = this.#source.host;
    const doc = this.#doc;
    const states = { ...doc.states };
    const adopt: Array<[string, string]> = [];
    for (const [app, entry] of Object.entries(state.states)) {
      if (!isNewer(entry, states[app])) continue;
      if (states[app]?.json !== entry.json) adopt.push([app, entry.json]);
      states[app] = entry;
    }
    const layout = state.layout && isNewer(state.layout, doc.layout) ? state.layout : doc.layout;
    this.#doc = { v: 2, states, ...(layout ? { layout } : {}) };
    this.#applying = true;
    try {
      for (const [app, json] of adopt) {
        if (!this.#apps.includes(app) || !host.manifest(app)) continue;
        // A broker that is down or restarting must not stop the layout from coming back.
        await host.adoptState(app, json).catch(this.#onError);
      }
      const canvas = this.#canvas;
      if (canvas && layout && layout !== doc.layout) {
        // Apps no longer registered are left out rather than failing the whole restore.
        canvas.layout = layout.slots.filter((s) => host.manifest(s.app)).map(fromSaved);
      }
    } finally {
      this.#applying = false;
    }
    const newer = (mine: Stamp | undefined, theirs: Stamp | undefined) =>
      mine !== undefined && (theirs === undefined || isNewer(mine, theirs));
    return (
      newer(this.#doc.layout, state.layout) ||
      Object.entries(this.#doc.states).some(([app, entry]) => newer(entry, state.states[app]))
    );
  }
}

function toSaved(slot: Slot): SavedSlot {
  const { slotId, app, x, y, width, height, config } = slot;
  const saved: SavedSlot = { slotId, app, x, y, width, height };
  if (config !== undefined) saved.config = config as SavedSlot['config'];
  return saved;
}

function fromSaved(slot: SavedSlot): Slot {
  return { ...slot };
}
