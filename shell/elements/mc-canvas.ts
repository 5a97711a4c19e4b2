import { css, html, LitElement, nothing } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { styleMap } from 'lit/directives/style-map.js';

import { McError } from '../../sdk/protocol/index.ts';
import { Host } from '../host/host.ts';
import {
  contentHeight,
  findFreeSpot,
  GRID_SIZE_PX,
  NEW_SLOT_HEIGHT_PX,
  NEW_SLOT_WIDTH_PX,
  type Rect,
} from '../layout/geometry.ts';
import { LayoutEditor } from '../layout/layout-editor.ts';
import { McLayoutChangeEvent, type LayoutChangeReason } from './canvas-events.ts';
import { canvasStyles } from './mc-canvas.styles.ts';
import './mc-frame.ts';

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

/**
 * A canvas of widgets. Owns (or shares) a {@link Host}; renders one `<mc-frame>` per slot
 * at its position and size. With `editable`, a person can move (drag the header or grip,
 * or arrow keys), resize (the corner handle, or Shift+arrows) and remove widgets, all on a
 * grid of `grid-size` pixels; every iframe is shielded from the pointer during a gesture.
 *
 * @fires mc-app-status - bubbled from each slot
 * @fires mc-app-connected - bubbled from each slot
 * @fires mc-layout-change - after `mount`, `unmount`, `add`, `removeSlot`, `updateSlot` or an edit
 */
export class McCanvas extends LitElement {
  static override properties = {
    layout: { attribute: false, noAccessor: true },
    editable: { type: Boolean, reflect: true },
    gridSize: { type: Number, attribute: 'grid-size' },
    announcement: { state: true },
  };

  #layout: readonly Slot[] = [];
  /** Whether a person may move, resize and remove widgets. */
  declare editable: boolean;
  /** The grid step of edits, in CSS pixels. */
  declare gridSize: number;
  declare protected announcement: string;
  #host: Host | undefined;
  /** True when this canvas created its host itself, and so destroys it when removed. */
  #ownsHost = false;
  /** The own host was destroyed on removal; a new one is made on reconnection. */
  #retired = false;
  readonly #editor = new LayoutEditor(this);

  constructor() {
    super();
    this.editable = false;
    this.gridSize = GRID_SIZE_PX;
    this.announcement = '';
  }

  /** The slots on the canvas. Prefer `mount`/`add`/`updateSlot`/`removeSlot` to edit it. */
  get layout(): readonly Slot[] {
    return this.#layout;
  }

  /** Replaces every slot (slots that keep their id keep their frame); fires `mc-layout-change` with reason `replace`. */
  set layout(layout: readonly Slot[]) {
    this.#set(layout, 'replace', '');
  }

  /**
   * The host (manifests, broker Worker, host-side pub/sub). Created with default options on
   * first use; assign one first (`canvas.host = new Host({ … })`) to choose options or to
   * share one host between canvases. A host the canvas created itself is destroyed when the
   * canvas leaves the document (a move within the document keeps it), and a fresh one with
   * the same manifests takes its place when the canvas comes back; a host you assign is
   * yours to destroy.
   */
  get host(): Host {
    if (!this.#host) {
      this.#host = new Host();
      this.#ownsHost = true;
    }
    return this.#host;
  }

  set host(host: Host) {
    if (host === this.#host) return;
    if (this.layout.length > 0)
      throw new McError('INVALID_ARGUMENT', 'unmount every slot before replacing the host');
    if (this.#ownsHost) this.#host?.destroy();
    this.#host = host;
    this.#ownsHost = false;
    this.#retired = false;
    this.requestUpdate();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (!this.#retired || !this.#host) return;
    // Back in the document after its own host was destroyed: a new one, same manifests,
    // before the frames (connected after this element) remount on it.
    const manifests = this.#host.manifests();
    this.#host = new Host();
    for (const manifest of manifests) this.#host.register(manifest);
    this.#retired = false;
    this.requestUpdate();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    // A move (remove, then insert elsewhere in the same task) reconnects before this runs.
    queueMicrotask(() => {
      if (this.isConnected || !this.#ownsHost || this.#retired) return;
      // Kept while out of the document: its calls reject with BROKER_UNAVAILABLE, and no
      // Worker is started for a canvas nobody shows.
      this.#host?.destroy();
      this.#retired = true;
    });
  }

  /** Mounts a widget of a registered app; returns the new slot's id. */
  mount(placement: Placement): string {
    const slot = this.#check(placement);
    this.#change([...this.layout, slot], 'mount', slot.slotId);
    return slot.slotId;
  }

  /** Removes a slot; its frame, port and subscriptions are released. */
  unmount(slotId: string): void {
    this.#change(
      this.layout.filter((s) => s.slotId !== slotId),
      'unmount',
      slotId,
    );
  }

  /**
   * Adds a widget of a registered app at the first free spot of the grid (or at `at`), as
   * the catalog does; returns the new slot's id.
   */
  add(app: string, at: Partial<Omit<Placement, 'app'>> = {}): string {
    const width = at.width ?? NEW_SLOT_WIDTH_PX;
    const height = at.height ?? NEW_SLOT_HEIGHT_PX;
    const spot = findFreeSpot(this.layout, width, height, this.clientWidth || width, this.gridSize);
    const slot = this.#check({ ...spot, ...at, app });
    this.#change([...this.layout, slot], 'add', slot.slotId);
    this.announce(`${this.#name(slot)} added`);
    return slot.slotId;
  }

  /** Removes a widget as a person's remove button does (focus moves to the next slot). */
  removeSlot(slotId: string): void {
    const index = this.layout.findIndex((s) => s.slotId === slotId);
    if (index < 0) return;
    const slot = this.layout[index]!;
    this.#change(
      this.layout.filter((s) => s.slotId !== slotId),
      'remove',
      slotId,
    );
    this.announce(`${this.#name(slot)} removed`);
    const next = this.layout[Math.min(index, this.layout.length - 1)];
    void this.updateComplete.then(() => {
      if (next) this.#wrapper(next.slotId)?.focus();
    });
  }

  /** Moves, resizes or reconfigures one slot; unknown slots are ignored. */
  updateSlot(slotId: string, patch: Partial<Omit<Slot, 'slotId' | 'app'>>): void {
    const current = this.layout.find((s) => s.slotId === slotId);
    if (!current) return;
    const next = this.#check({ ...current, ...patch });
    const reason: LayoutChangeReason =
      next.width !== current.width || next.height !== current.height
        ? 'resize'
        : next.x !== current.x || next.y !== current.y
          ? 'move'
          : 'configure';
    this.#change(
      this.layout.map((s) => (s.slotId === slotId ? next : s)),
      reason,
      slotId,
    );
  }

  /** The `<mc-frame>` of a slot, once rendered. */
  frame(slotId: string): HTMLElementTagNameMap['mc-frame'] | null {
    return this.renderRoot.querySelector(`mc-frame[slot-id="${CSS.escape(slotId)}"]`);
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

  #change(layout: Slot[], reason: LayoutChangeReason, slotId: string): void {
    if ((reason === 'mount' || reason === 'add') && this.layout.some((s) => s.slotId === slotId)) {
      throw new McError('INVALID_ARGUMENT', `slot "${slotId}" already exists`);
    }
    this.#set(layout, reason, slotId);
  }

  #set(layout: readonly Slot[], reason: LayoutChangeReason, slotId: string): void {
    const old = this.#layout;
    this.#layout = layout;
    this.requestUpdate('layout', old);
    this.dispatchEvent(new McLayoutChangeEvent(layout, reason, slotId));
  }

  #name(slot: Slot): string {
    return this.host.manifest(slot.app)?.name ?? slot.app;
  }

  /** Says `text` in the canvas's polite live region (used by the editor). */
  announce(text: string): void {
    this.announcement = text;
  }

  /** The app name shown for a slot. */
  nameOf(slotId: string): string {
    const slot = this.layout.find((s) => s.slotId === slotId);
    return slot ? this.#name(slot) : slotId;
  }

  /** Moves keyboard focus to a slot. */
  focusSlot(slotId: string): void {
    this.#wrapper(slotId)?.focus({ preventScroll: true });
  }

  #wrapper(slotId: string): HTMLElement | null {
    return this.renderRoot.querySelector(`.slot[data-slot-id="${CSS.escape(slotId)}"]`);
  }

  protected override render() {
    const gesture = this.#editor.gesture;
    const rects = this.layout.map((s) => (gesture?.slotId === s.slotId ? gesture.rect : s));
    return html`${repeat(
        this.layout,
        (slot) => slot.slotId,
        (slot, i) => this.#renderSlot(slot, rects[i]!),
      )}
      <div
        class="extent"
        style=${styleMap({ height: `${contentHeight(rects, 2 * this.gridSize)}px` })}
      ></div>
      ${gesture ? html`<div class="shield mode-${gesture.mode}"></div>` : nothing}
      <div class="sr-only" role="status" aria-live="polite">${this.announcement}</div>`;
  }

  #renderSlot(slot: Slot, rect: Rect) {
    const name = this.#name(slot);
    const active = this.#editor.gesture?.slotId === slot.slotId;
    return html`<div
      class="slot ${active ? 'active' : ''}"
      data-slot-id=${slot.slotId}
      role="group"
      aria-roledescription="widget"
      aria-label=${name}
      aria-keyshortcuts=${this.editable ? 'ArrowUp ArrowDown ArrowLeft ArrowRight Delete' : nothing}
      tabindex=${this.editable ? 0 : nothing}
      style=${styleMap({
        left: `${rect.x}px`,
        top: `${rect.y}px`,
        width: `${rect.width}px`,
        height: `${rect.height}px`,
      })}
      @keydown=${(e: KeyboardEvent) => this.#editor.keyDownOnSlot(e, slot.slotId)}
      @pointerdown=${(e: PointerEvent) => this.#editor.pointerDownOnSlot(e, slot.slotId)}
    >
      <mc-frame .host=${this.host} app=${slot.app} slot-id=${slot.slotId}></mc-frame>
      ${
        this.editable
          ? html`<div class="tools">
                <button
                  class="grip"
                  aria-label="Move ${name}"
                  title="Drag, or use the arrow keys, to move ${name}"
                  @pointerdown=${(e: PointerEvent) => this.#editor.startGesture(e, slot.slotId, 'move')}
                >
                  ⠿
                </button>
                <button
                  class="remove"
                  aria-label="Remove ${name}"
                  title="Remove ${name}"
                  @click=${() => this.removeSlot(slot.slotId)}
                >
                  ×
                </button>
              </div>
              <button
                class="resize"
                aria-label="Resize ${name}"
                title="Drag, or use Shift+arrow keys, to resize ${name}"
                @pointerdown=${(e: PointerEvent) => this.#editor.startGesture(e, slot.slotId, 'resize')}
              ></button>`
          : nothing
      }
    </div>`;
  }

  static override styles = [
    css`
      :host {
        display: block;
        position: relative;
        min-height: 200px;
      }
    `,
    canvasStyles,
  ];
}

customElements.define('mc-canvas', McCanvas);

declare global {
  interface HTMLElementTagNameMap {
    'mc-canvas': McCanvas;
  }
}
