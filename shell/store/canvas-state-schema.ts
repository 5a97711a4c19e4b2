import * as z from 'zod/mini';

import { MAX_MESSAGE_BYTES } from '../../sdk/protocol/limits.ts';
import { APP_ID_RE } from '../../sdk/protocol/topics.ts';
import { english } from '../../sdk/protocol/zod-english.ts';

// The saved canvas's schemas, apart from canvas-state.ts so that the page loads zod only when
// it first reads a saved canvas (`import()` in canvas-state.ts).

/** Largest coordinate or size a persisted slot may have, in CSS pixels. */
const MAX_PX = 100_000;
/** Most slots one saved canvas may hold. */
const MAX_SAVED_SLOTS = 200;
/** Largest serialized per-widget config. */
const MAX_CONFIG_BYTES = 16 * 1024;

// z.number() already refuses NaN and ±Infinity (classic `.finite()` was a no-op).
const Px = z.number().check(z.minimum(0), z.maximum(MAX_PX));

export const SavedSlotSchema = z.strictObject({
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

/** Who wrote an entry, when: the writer's clock and its tab id (the tie-breaker). */
const StampShape = {
  at: z.number(),
  tab: z.string().check(z.maxLength(64)),
};

/**
 * A canvas as saved and synced: entries, each stamped with who wrote it when — the layout
 * (its slots, with per-widget config) and, per app chosen to sync, its public state as a JSON
 * string. One rule merges two copies, entry by entry: the higher stamp wins ({@link isNewer});
 * an absent entry loses to any. Version 1 (one stamp for the whole record) is read as
 * version 2 with that stamp on every entry.
 */
export const CanvasStateSchema = /* @__PURE__ */ english(
  z.strictObject({
    v: z.literal(2),
    layout: z.optional(
      z.strictObject({
        slots: z.array(SavedSlotSchema).check(z.maxLength(MAX_SAVED_SLOTS)),
        ...StampShape,
      }),
    ),
    states: z.record(
      z.string().check(z.regex(APP_ID_RE)),
      z.strictObject({ json: z.string().check(z.maxLength(MAX_MESSAGE_BYTES)), ...StampShape }),
    ),
  }),
);

/** The record of version 1: the whole canvas under one `(savedAt, tab)`. */
const CanvasStateV1Schema = /* @__PURE__ */ english(
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

/** Reads a saved canvas (version 1 or 2) from storage or another tab; anything malformed is `undefined`. */
export function parseCanvasState(value: unknown): z.infer<typeof CanvasStateSchema> | undefined {
  const result = CanvasStateSchema.safeParse(value);
  if (result.success) return result.data;
  const v1 = CanvasStateV1Schema.safeParse(value);
  if (!v1.success) return undefined;
  const { slots, states, savedAt: at, tab } = v1.data;
  return {
    v: 2,
    layout: { slots, at, tab },
    states: Object.fromEntries(
      Object.entries(states).map(([app, json]) => [app, { json, at, tab }]),
    ),
  };
}
