import type { Slot } from './mc-canvas.ts';

/** Why a canvas's layout changed. */
export type LayoutChangeReason =
  'mount' | 'unmount' | 'add' | 'remove' | 'move' | 'resize' | 'configure';

/**
 * Fired by `<mc-canvas>` (bubbling, composed) after its layout changed through `mount`,
 * `unmount`, `add`, `removeSlot`, `updateSlot` or a person's edit (drag, resize, keys). Not
 * fired when `layout` is assigned as a whole (that is how a restore or another tab's
 * layout is applied, so persistence does not echo it back).
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
