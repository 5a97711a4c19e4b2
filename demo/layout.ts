import type { Slot } from 'microcanvas/shell';

/** Size of one widget slot, in CSS pixels: enough for each sample app to be usable. */
export const SLOT_WIDTH_PX = 360;
export const SLOT_HEIGHT_PX = 420;
/** Space between slots. */
export const GAP_PX = 20;

/**
 * Lays the apps out left to right in as many columns as `width` allows (at least one),
 * wrapping to new rows. Returns the slots and the canvas size they need.
 */
export function gridLayout(
  apps: readonly { app: string; slotId: string }[],
  width: number,
): { slots: Slot[]; width: number; height: number } {
  const columns = Math.max(
    1,
    Math.min(apps.length, Math.floor((width + GAP_PX) / (SLOT_WIDTH_PX + GAP_PX))),
  );
  const rows = Math.ceil(apps.length / columns);
  const slots = apps.map(({ app, slotId }, i) => ({
    app,
    slotId,
    x: (i % columns) * (SLOT_WIDTH_PX + GAP_PX),
    y: Math.floor(i / columns) * (SLOT_HEIGHT_PX + GAP_PX),
    width: SLOT_WIDTH_PX,
    height: SLOT_HEIGHT_PX,
  }));
  return {
    slots,
    width: columns * SLOT_WIDTH_PX + (columns - 1) * GAP_PX,
    height: rows * SLOT_HEIGHT_PX + (rows - 1) * GAP_PX,
  };
}
