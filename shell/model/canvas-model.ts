import { McError, type Manifest } from '../../sdk/protocol/index.ts';
import { findFreeSpot, NEW_SLOT_HEIGHT_PX, NEW_SLOT_WIDTH_PX } from '../layout/geometry.ts';

/** Where a widget sits on the canvas, in CSS pixels. */
export interface Placement {
  /** The slot's id; generated when omitted. */
  slotId?: string;
  /** The registered app id. */
  app: string;
  x: number;
  y: number;
  width: number;
  height: number;
  /** Per-widget configuration kept with the layout (JSON); persisted with the canvas. */
  config?: unknown;
}

/** A placement with its slot id decided. */
export type Slot = Placement & { slotId: string };

/** Why a canvas's layout changed. */
export type LayoutChangeReason =
  'replace' | 'mount' | 'unmount' | 'add' | 'remove' | 'move' | 'resize' | 'configure' | 'raise';

/** One change of the layout, told synchronously to every {@link CanvasLike.onChange} listener. */
export interface LayoutChange {
  readonly layout: readonly Slot[];
  readonly reason: LayoutChangeReason;
  /** The slot changed; `''` for `replace`. */
  readonly slotId: string;
}

/**
 * What the model needs of a host: the manifests (a slot's app must be registered) and an end.
 * The page's `Host` is one; the model does not import it, so that it runs without a DOM.
 */
export interface ModelHost {
  manifest(appId: string): Pick<Manifest, 'name'> | undefined;
  destroy(): void;
}

/**
 * A canvas as its syncers see it (persistence, tabs, the page bridge, a server): the layout,
 * replaceable as a whole, and its changes. `<mc-canvas>` and {@link CanvasModel} both are one.
 */
export interface CanvasLike<H extends ModelHost = ModelHost> {
  readonly host: H;
  /** Assigning replaces every slot (reason `replace`); slots that keep their id keep their frame. */
  layout: readonly Slot[];
  mount(placement: Placement): string;
  /** Calls `listener` after every change; returns the function that stops it. */
  onChange(listener: (change: LayoutChange) => void): () => void;
}

/**
 * The layout of one canvas and the ownership of its host, as plain data and rules: every
 * placement is checked (registered app, finite sizes ≥ 0, unique slot id), every change is
 * told to listeners with its reason. The slots' order is their stacking order: a later slot
 * is drawn over an earlier one it overlaps. No DOM: the element renders it, the syncers follow it.
 */
export class CanvasModel<H extends ModelHost = ModelHost> implements CanvasLike<H> {
  #layout: readonly Slot[] = [];
  readonly #listeners = new Set<(change: LayoutChange) => void>();
  readonly #createHost: (retired?: H) => H;
  #host: H | undefined;
  /** True when the model created its host itself, and so destroys it on `retire()`. */
  #ownsHost = false;
  /** The own host was destroyed by `retire()`; `revive()` makes a new one. */
  #retired = false;

  /**
   * @param createHost makes the model's own host on first use, and again on `revive()`
   *   (given the retired one, to carry its manifests over).
   */
  constructor(createHost: (retired?: H) => H) {
    this.#createHost = createHost;
  }

  /**
   * The host: the one assigned, or one the model creates on first use (and then owns). An
   * assigned host stays the assigner's to destroy.
   */
  get host(): H {
    if (!this.#host) {
      this.#host = this.#createHost();
      this.#ownsHost = true;
    }
    return this.#host;
  }

  set host(host: H) {
    if (host === this.#host) return;
    if (this.#layout.length > 0) {
      throw new McError('INVALID_ARGUMENT', 'unmount every slot before replacing the host');
    }
    if (this.#ownsHost && !this.#retired) this.#host?.destroy();
    this.#host = host;
    this.#ownsHost = false;
    this.#retired = false;
  }

  /** Destroys the host if the model owns it (nobody shows the canvas); true when it did. */
  retire(): boolean {
    if (!this.#ownsHost || this.#retired || !this.#host) return false;
    this.#host.destroy();
    this.#retired = true;
    return true;
  }

  /** After `retire()`: a new own host takes the old one's place; true when it did. */
  revive(): boolean {
    if (!this.#retired || !this.#host) return false;
    this.#host = this.#createHost(this.#host);
    this.#retired = false;
    return true;
  }

  get layout(): readonly Slot[] {
    return this.#layout;
  }

  set layout(layout: readonly Slot[]) {
    this.#set(layout, 'replace', '');
  }

  /** The slot `slotId`, if it is on the canvas. */
  slot(slotId: string): Slot | undefined {
    return this.#layout.find((s) => s.slotId === slotId);
  }

  /** Mounts a widget of a registered app; returns the new slot's id. */
  mount(placement: Placement): string {
    const slot = this.#check(placement);
    this.#insert(slot, 'mount');
    return slot.slotId;
  }

  /** Removes a slot (reason `unmount`, or `remove` for a person's remove). */
  unmount(slotId: string, reason: 'unmount' | 'remove' = 'unmount'): void {
    if (reason === 'remove' && !this.slot(slotId)) return;
    this.#set(
      this.#layout.filter((s) => s.slotId !== slotId),
      reason,
      slotId,
    );
  }

  /**
   * Adds a widget of a registered app at the first free spot of a canvas `areaWidth` wide on
   * a grid of `gridSize` (or at `at`); returns the new slot.
   */
  add(app: string, at: Partial<Omit<Placement, 'app'>>, areaWidth: number, gridSize: number): Slot {
    const width = at.width ?? NEW_SLOT_WIDTH_PX;
    const height = at.height ?? NEW_SLOT_HEIGHT_PX;
    const spot = findFreeSpot(this.#layout, width, height, areaWidth || width, gridSize);
    const slot = this.#check({ ...spot, ...at, app });
    this.#insert(slot, 'add');
    return slot;
  }

  /** Moves, resizes or reconfigures one slot; unknown slots are ignored. */
  update(slotId: string, patch: Partial<Omit<Slot, 'slotId' | 'app'>>): void {
    const current = this.slot(slotId);
    if (!current) return;
    const next = this.#check({ ...current, ...patch });
    const reason: LayoutChangeReason =
      next.width !== current.width || next.height !== current.height
        ? 'resize'
        : next.x !== current.x || next.y !== current.y
          ? 'move'
          : 'configure';
    this.#set(
      this.#layout.map((s) => (s.slotId === slotId ? next : s)),
      reason,
      slotId,
    );
  }

  /**
   * Brings a slot to the front. The layout's order is the stacking order (the last slot is on
   * top), so it is saved, and followed by other tabs, with the layout itself.
   */
  raise(slotId: string): void {
    const slot = this.slot(slotId);
    if (!slot || this.#layout.at(-1) === slot) return;
    this.#set([...this.#layout.filter((s) => s !== slot), slot], 'raise', slotId);
  }

  /** The app name shown for a slot (its manifest's name, else the app id, else the slot id). */
  nameOf(slotId: string): string {
    const slot = this.slot(slotId);
    if (!slot) return slotId;
    return this.host.manifest(slot.app)?.name ?? slot.app;
  }

  onChange(listener: (change: LayoutChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #check(placement: Placement): Slot {
    if (!this.host.manifest(placement.app)) {
      throw new McError('UNKNOWN_APP', `no registered app "${placement.app}"`);
    }
    for (const key of ['x', 'y', 'width', 'height'] as const) {
      if (!Number.isFinite(placement[key]) || placement[key] < 0) {
        throw new McError('INVALID_ARGUMENT', `placement.${key} must be a finite number ≥ 0`);
      }
    }
    const slotId = placement.slotId ?? `slot-${crypto.randomUUID().slice(0, 8)}`;
    return { ...placement, slotId };
  }

  #insert(slot: Slot, reason: 'mount' | 'add'): void {
    if (this.slot(slot.slotId)) {
      throw new McError('INVALID_ARGUMENT', `slot "${slot.slotId}" already exists`);
    }
    this.#set([...this.#layout, slot], reason, slot.slotId);
  }

  #set(layout: readonly Slot[], reason: LayoutChangeReason, slotId: string): void {
    this.#layout = layout;
    const change: LayoutChange = { layout, reason, slotId };
    for (const listener of [...this.#listeners]) listener(change);
  }
}
