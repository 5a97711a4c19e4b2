import type { ReactiveController, ReactiveControllerHost } from 'lit';

import { moveRect, resizeRect, type Rect } from './geometry.ts';
import { keyAction } from './keyboard.ts';
import { followPointer, type GestureMode } from './pointer-gesture.ts';

/** A slot as the editor sees it. */
export interface EditableSlot extends Rect {
  slotId: string;
}

/** What the editor needs from the canvas element it drives. */
export interface EditorHost extends ReactiveControllerHost {
  readonly editable: boolean;
  readonly gridSize: number;
  readonly layout: readonly EditableSlot[];
  /** The canvas width edits must stay within (0: unbounded). */
  readonly clientWidth: number;
  updateSlot(slotId: string, rect: Rect): void;
  removeSlot(slotId: string): void;
  /** Says `text` in the canvas's live region. */
  announce(text: string): void;
  /** The app name of a slot, for announcements. */
  nameOf(slotId: string): string;
  /** Focuses a slot's wrapper. */
  focusSlot(slotId: string): void;
}

/** A drag or resize in progress: the slot's rect as it would be if released now. */
export interface Gesture {
  slotId: string;
  mode: GestureMode;
  rect: Rect;
}

/**
 * The canvas's editing behaviour, as a Lit reactive controller: pointer gestures (move,
 * resize, with capture; Escape cancels) and keys on a focused slot. The element renders
 * `gesture` (the live rect and the shield) and forwards its slots' events here.
 */
export class LayoutEditor implements ReactiveController {
  readonly #host: EditorHost;
  #gesture: (Gesture & { cancel: () => void }) | undefined;

  constructor(host: EditorHost) {
    this.#host = host;
    host.addController(this);
  }

  /** The gesture in progress, if any. */
  get gesture(): Gesture | undefined {
    return this.#gesture;
  }

  hostDisconnected(): void {
    this.#gesture?.cancel();
  }

  /** Starts moving or resizing a slot from a `pointerdown` on one of its handles. */
  startGesture(event: PointerEvent, slotId: string, mode: GestureMode): void {
    const host = this.#host;
    const slot = host.layout.find((s) => s.slotId === slotId);
    if (!host.editable || !slot || event.button !== 0 || this.#gesture) return;
    event.preventDefault();
    const origin: Rect = { x: slot.x, y: slot.y, width: slot.width, height: slot.height };
    const maxWidth = host.clientWidth || Infinity;
    host.focusSlot(slotId);
    const cancel = followPointer(event, event.currentTarget as Element, {
      move: (dx, dy) => {
        if (!this.#gesture) return;
        const rect =
          mode === 'move'
            ? moveRect(origin, dx, dy, host.gridSize, maxWidth)
            : resizeRect(origin, dx, dy, host.gridSize, maxWidth);
        this.#gesture = { ...this.#gesture, rect };
        host.requestUpdate();
      },
      end: (commit) => {
        const rect = this.#gesture?.rect;
        this.#gesture = undefined;
        host.requestUpdate();
        if (!commit || !rect || sameRect(rect, origin)) return;
        host.updateSlot(slotId, rect);
        host.announce(`${host.nameOf(slotId)} ${describe(rect, mode)}`);
      },
    });
    this.#gesture = { slotId, mode, rect: origin, cancel };
    host.requestUpdate();
  }

  /**
   * A `pointerdown` anywhere on a slot: the frame's header (drawn by the host, never by the
   * widget) doubles as a drag handle, its buttons excepted.
   */
  pointerDownOnSlot(event: PointerEvent, slotId: string): void {
    const path = event.composedPath();
    const onHeader = path.some((el) => el instanceof Element && el.part?.contains('header'));
    const onButton = path.some((el) => el instanceof HTMLButtonElement);
    if (onHeader && !onButton) this.startGesture(event, slotId, 'move');
  }

  /** A `keydown` on a slot or inside it (its handles); arrows move or resize, Delete removes. */
  keyDownOnSlot(event: KeyboardEvent, slotId: string): void {
    const host = this.#host;
    // Looked up now: keys can arrive faster than the canvas re-renders.
    const slot = host.layout.find((s) => s.slotId === slotId);
    if (!host.editable || !slot) return;
    const target = event.composedPath()[0];
    const on =
      target === event.currentTarget
        ? 'slot'
        : target instanceof Element && target.classList.contains('grip')
          ? 'move-handle'
          : target instanceof Element && target.classList.contains('resize')
            ? 'resize-handle'
            : 'other';
    const action = keyAction(event, host.gridSize, on);
    if (!action) return;
    event.preventDefault();
    if (action.kind === 'remove') return host.removeSlot(slotId);
    const maxWidth = host.clientWidth || Infinity;
    const rect =
      action.kind === 'move'
        ? moveRect(slot, action.dx, action.dy, host.gridSize, maxWidth)
        : resizeRect(slot, action.dw, action.dh, host.gridSize, maxWidth);
    host.updateSlot(slotId, rect);
    host.announce(`${host.nameOf(slotId)} ${describe(rect, action.kind)}`);
  }
}

function sameRect(a: Rect, b: Rect): boolean {
  return a.x === b.x && a.y === b.y && a.width === b.width && a.height === b.height;
}

function describe(rect: Rect, kind: GestureMode): string {
  return kind === 'move'
    ? `moved to ${rect.x}, ${rect.y}`
    : `resized to ${rect.width} by ${rect.height}`;
}
