import { lazy } from '../shared/lazy.ts';

/** penpal's API, as the frame sessions use it. */
export type Penpal = typeof import('penpal');

/**
 * penpal, loaded when the first widget is mounted rather than with the page
 * (docs/decisions/0012-performance.md); every later mount reuses the same import.
 */
export const loadPenpal: () => Promise<Penpal> = lazy(() => import('penpal'));
