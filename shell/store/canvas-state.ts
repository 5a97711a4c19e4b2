import * as z from 'zod/mini';

import { APP_ID_RE, MAX_MESSAGE_BYTES } from '../../sdk/protocol/index.ts';
import { english } from '../../sdk/protocol/zod-english.ts';

/** Largest coordinate or size a persisted slot may have, in CSS pixels. */
const MAX_PX = 100_000;
/** Most slots one saved canvas may hold. */
export const MAX_SAVED_SLOTS = 200;
/** Largest serialized per-widget config. */
export const MAX_CONFIG_BYTES = 16 * 1024;

// z.number() already refuses NaN and ±Infinity (classic `.finite()` was a no-op).
const Px = z.number().check(z.minimum(0), z.maximum(MAX_PX));

const SavedSlotSchema = z.strictObject({
  slotId: z.string().check(z.minLength(1), z.maxLength(100)),
  app: z.string().check(z.regex(APP_ID_RE)),
  x: Px,
  y: Px,
  width: Px,
  height: Px,
  config: z
    .optional(z.json())
    .check(
      z.refine((v) => v === undefined || JSON.stringify(v).length <= MAX_CONFIG_BYTES, 'too large'),
    ),
});

/**
 * A canvas as saved: its slots (layout and per-widget config), the public states chosen to
 * persist (each app's value as a JSON string), and who saved it when. `savedAt` and `tab`
 * order concurrent saves: the higher `(savedAt, tab)` wins (see docs/canvas.md).
 */
export const CanvasStateSchema = /* @__PURE__ */ english(
  z.strictObject({
    v: z.literal(1),
    slots: z.array(SavedSlotSchema).check(z.maxLength(MAX_SAVED_SLOTS)),
    states: z.record(
      z.string().check(z.regex(APP_ID_RE)),
      z.string().check(z.maxLength(MAX_MESSAGE_BYTES)),
    ),
    savedAt: z.number(),
    tab: z.string().check(z.maxLength(64)),
  }),
);

/** A saved canvas; see {@link CanvasStateSchema}. */
export type CanvasState = z.infer<typeof CanvasStateSchema>;

/** True when `a` was saved after `b` (ties broken by tab id, so every tab agrees). */
export function isNewer(
  a: Pick<CanvasState, 'savedAt' | 'tab'>,
  b?: Pick<CanvasState, 'savedAt' | 'tab'>,
): boolean {
  if (!b) return true;
  return a.savedAt > b.savedAt || (a.savedAt === b.savedAt && a.tab > b.tab);
}

/** Reads a saved canvas from storage or another tab; anything malformed is `undefined`. */
export function parseCanvasState(value: unknown): CanvasState | undefined {
  const result = CanvasStateSchema.safeParse(value);
  return result.success ? result.data : undefined;
}
