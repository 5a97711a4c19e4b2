import type { Slot } from './mc-canvas.ts';

/** Why a canvas's layout changed. */
export type LayoutChangeReason =
  'replace' | 'mount' | 'unmount' | 'add' | 'remove' | 'move' | 'resize' | 'configure';

/**
 * Fired by `<mc-canvas>` (bubbling, composed), synchronously, after every layout change:
 * `mount`, `unmount`, `add`, `removeSlot`, `updateSlot`, a person's edit (drag, resize,
 * keys), or an assignment of `layout` as a whole (reason `replace`).
 */
export class McLayoutChangeEvent extends Event {
  static readonly type = 'mc-layout-change';
  constructor(
    readonly layout: readonly Slot[],
    readonly reason: LayoutChangeReason,
    readonly slotId: string,
  ) {
    super(McLayoutChangeEvent.type, { bubbles: true, composed: true });
  }
}

declare global {
  interface HTMLElementEventMap {
    'mc-layout-change': McLayoutChangeEvent;
  }
}
