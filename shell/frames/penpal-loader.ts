/** penpal's API, as the frame sessions use it. */
export type Penpal = typeof import('penpal');

let loading: Promise<Penpal> | undefined;

/**
 * penpal, loaded when the first widget is mounted rather than with the page
 * (docs/decisions/0012-performance.md); every later mount reuses the same import.
 */
export function loadPenpal(): Promise<Penpal> {
  loading ??= import('penpal');
  return loading;
}
