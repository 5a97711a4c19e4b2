import type * as z from 'zod/mini';

import { lazy } from '../shared/lazy.ts';
import type { CanvasStateSchema, SavedSlotSchema } from './canvas-state-schema.ts';

/** A saved canvas; see {@link CanvasStateSchema}. */
export type CanvasState = z.infer<typeof CanvasStateSchema>;
/** A saved slot. */
export type SavedSlot = z.infer<typeof SavedSlotSchema>;
/** The stamp of one entry. */
export type Stamp = Pick<NonNullable<CanvasState['layout']>, 'at' | 'tab'>;

/**
 * The one ordering rule of every copy of a canvas (tabs, storage, a server): `a` was written
 * after `b` when its clock is later, ties broken by tab id so that every copy agrees; an
 * absent `b` is older than anything.
 */
export function isNewer(a: Stamp, b?: Stamp): boolean {
  if (!b) return true;
  return a.at > b.at || (a.at === b.at && a.tab > b.tab);
}

/** A stamp for a new write by `tab` over `previous`: later than it, even on a clock behind. */
export function nextStamp(tab: string, previous: Stamp | undefined, now = Date.now()): Stamp {
  return { at: Math.max(now, (previous?.at ?? 0) + 1), tab };
}

const loadSchema = lazy(() => import('./canvas-state-schema.ts'));

/**
 * Reads a saved canvas (version 1 or 2) from storage or another tab; anything malformed is
 * `undefined`. The schema (zod) is loaded with the first read, not with the page
 * (docs/decisions/0012-performance.md); reads wait for it in their order.
 */
export async function parseCanvasState(value: unknown): Promise<CanvasState | undefined> {
  return (await loadSchema()).parseCanvasState(value);
}
