/** What a key press on a focused slot asks for. */
export type KeyAction =
  | { kind: 'move'; dx: number; dy: number }
  | { kind: 'resize'; dw: number; dh: number }
  | { kind: 'remove' };

const ARROWS = new Map<string, readonly [number, number]>([
  ['ArrowLeft', [-1, 0]],
  ['ArrowRight', [1, 0]],
  ['ArrowUp', [0, -1]],
  ['ArrowDown', [0, 1]],
]);

/**
 * Maps a key press on a slot to a layout action: arrows move by one grid step, Shift+arrows
 * (or arrows on the resize handle) resize, Delete/Backspace on the slot itself removes it.
 * Anything else (including keys with Ctrl, Alt or Meta, left to the browser) is `undefined`.
 */
export function keyAction(
  event: Pick<KeyboardEvent, 'key' | 'shiftKey' | 'ctrlKey' | 'altKey' | 'metaKey'>,
  step: number,
  on: 'slot' | 'move-handle' | 'resize-handle' | 'other',
): KeyAction | undefined {
  if (event.ctrlKey || event.altKey || event.metaKey || on === 'other') return undefined;
  const arrow = ARROWS.get(event.key);
  if (arrow) {
    const [x, y] = arrow;
    if (event.shiftKey || on === 'resize-handle') {
      return { kind: 'resize', dw: x * step, dh: y * step };
    }
    return { kind: 'move', dx: x * step, dy: y * step };
  }
  if ((event.key === 'Delete' || event.key === 'Backspace') && on === 'slot') {
    return { kind: 'remove' };
  }
  return undefined;
}
