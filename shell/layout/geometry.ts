/**
 * Pure layout arithmetic for the canvas editor: snapping to the grid, moving and resizing
 * within bounds, and finding a free spot for a new widget. No DOM: unit-testable as is.
 */

/** A rectangle in CSS pixels, relative to the canvas. */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The default grid step of an editable canvas, in CSS pixels. */
export const GRID_SIZE_PX = 20;
/** The smallest a widget can be resized to. */
export const MIN_SLOT_WIDTH_PX = 160;
export const MIN_SLOT_HEIGHT_PX = 120;
/** The size a widget gets when added from the catalog. */
export const NEW_SLOT_WIDTH_PX = 360;
export const NEW_SLOT_HEIGHT_PX = 420;

/** Rounds `value` to the nearest multiple of `grid` (no snapping when grid ≤ 1). */
export function snap(value: number, grid: number): number {
  return grid > 1 ? Math.round(value / grid) * grid : Math.round(value);
}

/**
 * Moves `rect` by (dx, dy), snapped to the grid, kept at x, y ≥ 0 and, when `maxWidth` is
 * finite, inside the canvas width (a canvas grows downwards, never sideways).
 */
export function moveRect(
  rect: Rect,
  dx: number,
  dy: number,
  grid: number,
  maxWidth = Infinity,
): Rect {
  const limitX = Math.max(0, maxWidth - rect.width);
  return {
    ...rect,
    x: clamp(snap(rect.x + dx, grid), 0, limitX),
    y: Math.max(0, snap(rect.y + dy, grid)),
  };
}

/** Resizes `rect` from its bottom-right corner by (dw, dh), snapped, within the minimum size and the canvas width. */
export function resizeRect(
  rect: Rect,
  dw: number,
  dh: number,
  grid: number,
  maxWidth = Infinity,
): Rect {
  const limitW = Math.max(MIN_SLOT_WIDTH_PX, maxWidth - rect.x);
  return {
    ...rect,
    width: clamp(snap(rect.width + dw, grid), MIN_SLOT_WIDTH_PX, limitW),
    height: Math.max(MIN_SLOT_HEIGHT_PX, snap(rect.height + dh, grid)),
  };
}

/** True when the two rectangles overlap (touching edges do not). */
export function overlaps(a: Rect, b: Rect): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

/**
 * The first free spot for a `width` × `height` widget, scanning rows top to bottom and
 * left to right in grid steps, keeping `gap` pixels from every taken rectangle.
 */
export function findFreeSpot(
  taken: readonly Rect[],
  width: number,
  height: number,
  canvasWidth: number,
  grid: number,
  gap = grid,
): Rect {
  const step = Math.max(grid, 10);
  const padded = taken.map((r) => ({
    x: r.x - gap,
    y: r.y - gap,
    width: r.width + 2 * gap,
    height: r.height + 2 * gap,
  }));
  const bottom = taken.reduce((max, r) => Math.max(max, r.y + r.height + gap), 0);
  const maxX = Math.max(0, canvasWidth - width);
  for (let y = 0; y <= bottom; y += step) {
    for (let x = 0; x <= maxX; x += step) {
      const candidate = { x, y, width, height };
      if (!padded.some((r) => overlaps(candidate, r))) return candidate;
    }
  }
  return { x: 0, y: snap(bottom, grid), width, height };
}

/** The height a canvas needs to show every rectangle, plus `padding`. */
export function contentHeight(rects: readonly Rect[], padding = 0): number {
  return rects.reduce((max, r) => Math.max(max, r.y + r.height), 0) + padding;
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(Math.max(value, min), max);
}
