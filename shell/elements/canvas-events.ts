import type { LayoutChangeReason, Slot } from '../model/canvas-model.ts';

export type { LayoutChangeReason } from '../model/canvas-model.ts';

/**
 * Fired by `<mc-canvas>` (bubbling, composed), synchronously, after every change of its
 * model's layout: `mount`, `unmount`, `add`, `removeSlot`, `updateSlot`, a person's edit
 * (drag, resize, keys), or an assignment of `layout` as a whole (reason `replace`).
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
