import { html, LitElement, nothing } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { styleMap } from 'lit/directives/style-map.js';

import { Host } from '../host/host.ts';
import { contentHeight, GRID_SIZE_PX, type Rect } from '../layout/geometry.ts';
import type { LayoutEditor } from '../layout/layout-editor.ts';
import { lazy } from '../shared/lazy.ts';
import {
  CanvasModel,
  type CanvasLike,
  type LayoutChange,
  type Placement,
  type Slot,
} from '../model/canvas-model.ts';
import { McLayoutChangeEvent } from './canvas-events.ts';
import { canvasStyles } from './mc-canvas.styles.ts';
import './mc-frame.ts';

export type { Placement, Slot } from '../model/canvas-model.ts';

/** A new host with the manifests of the one it replaces. */
function freshHost(retired?: Host): Host {
  const host = new Host();
  for (const manifest of retired?.manifests() ?? []) host.register(manifest);
  return host;
}

/**
 * A canvas of widgets: a view over a {@link CanvasModel} (the layout and the host it owns or
 * shares) that renders one `<mc-frame>` per slot at its position and size. With `editable`,
 * a person can move (drag the header or grip, or arrow keys), resize (the corner handle, or
 * Shift+arrows) and remove widgets, all on a grid of `grid-size` pixels; every iframe is
 * shielded from the pointer during a gesture. The editing code loads when the canvas first
 * becomes editable; `updateComplete` resolves once it has.
 *
 * @fires mc-app-status - bubbled from each slot
 * @fires mc-app-connected - bubbled from each slot
 * @fires mc-layout-change - after `mount`, `unmount`, `add`, `removeSlot`, `updateSlot` or an edit
 */
// The layout editor is not in the page's start-up bundle (docs/decisions/0012-performance.md):
// it loads when a canvas first becomes editable.
const loadEditor = lazy(() => import('../layout/layout-editor.ts').then((m) => m.LayoutEditor));

export class McCanvas extends LitElement implements CanvasLike<Host> {
  static override properties = {
    layout: { attribute: false, noAccessor: true },
    editable: { type: Boolean, reflect: true },
    gridSize: { type: Number, attribute: 'grid-size' },
    announcement: { state: true },
  };

  /** The layout and the host, without the DOM: what persistence, tabs and bridges follow. */
  readonly model = new CanvasModel<Host>(freshHost);
  /** Whether a person may move, resize and remove widgets. */
  declare editable: boolean;
  /** The grid step of edits, in CSS pixels. */
  declare gridSize: number;
  declare protected announcement: string;
  #editor: LayoutEditor | undefined;
  #editorLoading: Promise<void> | undefined;
  /**
   * Slots gone from the layout whose widgets are being told (teardown notice): still drawn,
   * inert, until they answered or the grace passed; then their frames go.
   */
  readonly #leaving = new Map<string, [Slot, Promise<void>]>();
  /** The slots of the last render, in DOM order (where a leaving slot stays drawn). */
  #drawn: readonly Slot[] = [];

  constructor() {
    super();
    this.editable = false;
    this.gridSize = GRID_SIZE_PX;
    this.announcement = '';
    this.model.onChange(this.#onModelChange);
  }

  protected override willUpdate(): void {
    if (this.editable && !this.#editor) this.#editorLoading ??= this.#loadEditor();
  }

  // Waits for the editor too, so that a canvas made editable is ready to edit once its
  // update has completed.
  protected override async getUpdateComplete(): Promise<boolean> {
    let done = await super.getUpdateComplete();
    while (this.#editorLoading) {
      await this.#editorLoading;
      done = await super.getUpdateComplete();
    }
    return done;
  }

  async #loadEditor(): Promise<void> {
    try {
      const Editor = await loadEditor();
      this.#editor ??= new Editor(this);
      this.requestUpdate();
    } catch {
      // A chunk that did not arrive: the next update tries again.
    } finally {
      this.#editorLoading = undefined;
    }
  }

  /** The slots on the canvas. Prefer `mount`/`add`/`updateSlot`/`removeSlot` to edit it. */
  get layout(): readonly Slot[] {
    return this.model.layout;
  }

  /** Replaces every slot (slots that keep their id keep their frame); fires `mc-layout-change` with reason `replace`. */
  set layout(layout: readonly Slot[]) {
    this.model.layout = layout;
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
    return this.model.host;
  }

  set host(host: Host) {
    // Not `this.model.host` to compare: reading it makes a host (and its Worker) when none exists.
    this.model.host = host;
    this.requestUpdate();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // Back in the document after its own host was destroyed: a new one, same manifests,
    // before the frames (connected after this element) remount on it.
    if (this.model.revive()) this.requestUpdate();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    // A move (remove, then insert elsewhere in the same task) reconnects before this runs.
    // Kept while out of the document: its calls reject with BROKER_UNAVAILABLE, and no
    // Worker is started for a canvas nobody shows.
    queueMicrotask(() => {
      if (!this.isConnected) this.model.retire();
    });
  }

  onChange(listener: (change: LayoutChange) => void): () => void {
    return this.model.onChange(listener);
  }

  /** Mounts a widget of a registered app; returns the new slot's id. */
  mount(placement: Placement): string {
    return this.model.mount(placement);
  }

  /**
   * Removes a slot; its frame, port and subscriptions are released once the widget answered
   * its teardown notice or the host's `teardownGraceMs` passed (the returned promise).
   */
  unmount(slotId: string): Promise<void> {
    this.model.unmount(slotId);
    return this.#leaving.get(slotId)?.[1] ?? Promise.resolve();
  }

  /**
   * Adds a widget of a registered app at the first free spot of the grid (or at `at`), as
   * the catalog does; returns the new slot's id.
   */
  add(app: string, at: Partial<Omit<Placement, 'app'>> = {}): string {
    const slot = this.model.add(app, at, this.clientWidth, this.gridSize);
    this.announce(`${this.nameOf(slot.slotId)} added`);
    return slot.slotId;
  }

  /** Removes a widget as a person's remove button does (focus moves to the next slot). */
  removeSlot(slotId: string): void {
    // The next slot as a person sees them (the DOM's, which is Tab's, order), not the layout's:
    // that is the stacking order.
    const order = this.#drawOrder().filter((s) => this.model.slot(s.slotId));
    const index = order.findIndex((s) => s.slotId === slotId);
    if (index < 0) return;
    const name = this.nameOf(slotId);
    this.model.unmount(slotId, 'remove');
    this.announce(`${name} removed`);
    order.splice(index, 1);
    const next = order[Math.min(index, order.length - 1)];
    void this.updateComplete.then(() => {
      if (next) this.#wrapper(next.slotId)?.focus();
    });
  }

  /** Moves, resizes or reconfigures one slot; unknown slots are ignored. */
  updateSlot(slotId: string, patch: Partial<Omit<Slot, 'slotId' | 'app'>>): void {
    this.model.update(slotId, patch);
  }

  /** The `<mc-frame>` of a slot, once rendered. */
  frame(slotId: string): HTMLElementTagNameMap['mc-frame'] | null {
    return this.renderRoot.querySelector(`mc-frame[slot-id="${CSS.escape(slotId)}"]`);
  }

  #onModelChange = (change: LayoutChange): void => {
    const kept = new Set(change.layout.map((slot) => slot.slotId));
    for (const slot of this.#drawn) {
      const frame = kept.has(slot.slotId) ? null : this.frame(slot.slotId);
      if (!frame || this.#leaving.has(slot.slotId)) continue;
      const gone = frame.teardown().then(() => {
        this.#leaving.delete(slot.slotId);
        this.requestUpdate();
        return this.updateComplete.then(() => undefined);
      });
      this.#leaving.set(slot.slotId, [slot, gone]);
    }
    this.requestUpdate('layout');
    this.dispatchEvent(new McLayoutChangeEvent(change.layout, change.reason, change.slotId));
  };

  /** Says `text` in the canvas's polite live region (used by the editor). */
  announce(text: string): void {
    this.announcement = text;
  }

  /** The app name shown for a slot. */
  nameOf(slotId: string): string {
    return this.model.nameOf(slotId);
  }

  /** Moves keyboard focus to a slot. */
  focusSlot(slotId: string): void {
    this.#wrapper(slotId)?.focus({ preventScroll: true });
  }

  #wrapper(slotId: string): HTMLElement | null {
    return this.renderRoot.querySelector(`.slot[data-slot-id="${CSS.escape(slotId)}"]`);
  }

  /**
   * The slots to draw, leaving ones included, in the order they were first drawn: a slot
   * keeps its place in the DOM when the layout's order (its stacking order) changes, since
   * moving an iframe reloads it. New slots come last.
   */
  #drawOrder(): Slot[] {
    const todo = new Map(this.layout.map((s) => [s.slotId, s]));
    for (const [slot] of this.#leaving.values())
      if (!todo.has(slot.slotId)) todo.set(slot.slotId, slot);
    const slots: Slot[] = [];
    for (const { slotId } of this.#drawn) {
      const slot = todo.get(slotId);
      if (slot) slots.push(slot);
      todo.delete(slotId);
    }
    return [...slots, ...todo.values()];
  }

  /**
   * A press or a focus on a slot's own (host-drawn) parts brings it to the front. A focus of
   * its iframe does not: a widget can focus itself, and must not come over another by it.
   */
  #raise(event: Event, slotId: string): void {
    if (!(event.composedPath()[0] instanceof HTMLIFrameElement)) this.model.raise(slotId);
  }

  protected override render() {
    const gesture = this.#editor?.gesture;
    const slots = (this.#drawn = this.#drawOrder());
    const rects = slots.map((s) => (gesture?.slotId === s.slotId ? gesture.rect : s));
    return html`${repeat(
        slots,
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
    const name = this.host.manifest(slot.app)?.name ?? slot.app;
    const active = this.#editor?.gesture?.slotId === slot.slotId;
    const leaving = this.#leaving.has(slot.slotId);
    return html`<div
      class="slot ${active ? 'active' : ''} ${leaving ? 'leaving' : ''}"
      ?inert=${leaving}
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
        // The layout's order is the stacking order; a leaving slot lies under every other.
        zIndex: String(this.layout.indexOf(slot) + 1),
      })}
      @keydown=${(e: KeyboardEvent) => this.#editor?.keyDownOnSlot(e, slot.slotId)}
      @pointerdown=${(e: PointerEvent) => {
        this.#raise(e, slot.slotId);
        this.#editor?.pointerDownOnSlot(e, slot.slotId);
      }}
      @focusin=${(e: FocusEvent) => this.#raise(e, slot.slotId)}
    >
      <mc-frame .host=${this.host} app=${slot.app} slot-id=${slot.slotId}></mc-frame>
      ${
        this.editable
          ? html`<div class="tools">
                <button
                  class="grip"
                  aria-label="Move ${name}"
                  title="Drag, or use the arrow keys, to move ${name}"
                  @pointerdown=${(e: PointerEvent) => this.#editor?.startGesture(e, slot.slotId, 'move')}
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
                @pointerdown=${(e: PointerEvent) => this.#editor?.startGesture(e, slot.slotId, 'resize')}
              ></button>`
          : nothing
      }
    </div>`;
  }

  /** The element's shadow styles (its parts and custom properties are in its class comment). */
  static override styles = canvasStyles;
}

customElements.define('mc-canvas', McCanvas);

declare global {
  interface HTMLElementTagNameMap {
    'mc-canvas': McCanvas;
  }
}
