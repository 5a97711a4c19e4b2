import * as z from 'zod/mini';

import {
  MAX_MODAL_TEXT,
  MAX_REQUESTED_PX,
  MAX_STORAGE_KEY,
  MAX_STORAGE_QUOTA_BYTES,
  MAX_TOAST_TEXT,
  isShortcut,
} from './service-limits.ts';
import { english } from './zod-english.ts';

/**
 * The argument schemas of the host services (services.ts has their names and limits). They
 * use `zod/mini`; the host page imports this module only with `import()`, when the first
 * service call arrives, and the manifest and context checks it needs synchronously are
 * hand-written guards pinned to the schemas by tests (docs/decisions/0012-performance.md).
 */

// z.number() already refuses NaN and ±Infinity (classic `.finite()` was a no-op).
const Px = z.number().check(z.minimum(0), z.maximum(MAX_REQUESTED_PX));

/** A size in CSS pixels, per axis; an axis left out is not asked for (or not changed). */
export const PixelSizeSchema = z.strictObject({
  width: z.optional(Px),
  height: z.optional(Px),
});
export type PixelSize = z.infer<typeof PixelSizeSchema>;

/** `resize`: the content size the widget wants. */
export const ResizeRequestSchema = /* @__PURE__ */ english(PixelSizeSchema);
export type ResizeRequest = PixelSize;

/** `notify`: a toast the host draws, as text. */
export const ToastRequestSchema = /* @__PURE__ */ english(
  z.strictObject({
    text: z.string().check(z.trim(), z.minLength(1), z.maxLength(MAX_TOAST_TEXT)),
    kind: z._default(z.enum(['info', 'success', 'warning', 'error']), 'info'),
  }),
);
export type ToastRequestInput = z.input<typeof ToastRequestSchema>;
export type ToastRequest = z.output<typeof ToastRequestSchema>;

const Label = z.string().check(z.trim(), z.minLength(1), z.maxLength(24));

/** `modal`: a confirm or alert dialog the host draws over the widget's slot. */
export const ModalRequestSchema = /* @__PURE__ */ english(
  z.strictObject({
    kind: z._default(z.enum(['alert', 'confirm']), 'alert'),
    title: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(80))),
    text: z.string().check(z.trim(), z.minLength(1), z.maxLength(MAX_MODAL_TEXT)),
    confirmLabel: z.optional(Label),
    cancelLabel: z.optional(Label),
  }),
);
export type ModalRequestInput = z.input<typeof ModalRequestSchema>;
export type ModalRequest = z.output<typeof ModalRequestSchema>;

/** A storage key: printable, bounded. */
export const StorageKeySchema = /* @__PURE__ */ english(
  z
    .string()
    .check(
      z.minLength(1),
      z.maxLength(MAX_STORAGE_KEY),
      z.regex(/^[\x20-\x7e]+$/, 'must be printable ASCII'),
    ),
);

/** A shortcut string, validated. */
export const ShortcutSchema = z
  .string()
  .check(z.refine(isShortcut, 'must be a shortcut like "Ctrl+K"'));

/** Per-axis sizing: `fixed` keeps the slot's size; `content` follows the widget's requests. */
const AxisSchema = z.strictObject({
  mode: z._default(z.enum(['fixed', 'content']), 'fixed'),
  min: z._default(z.number().check(z.int(), z.minimum(0), z.maximum(10_000)), 0),
  max: z.optional(z.number().check(z.int(), z.minimum(1), z.maximum(10_000))),
});

/** The manifest's `size` field. */
export const SizeSchema = z.strictObject({
  width: z._default(AxisSchema, { mode: 'fixed', min: 0 }),
  height: z._default(AxisSchema, { mode: 'fixed', min: 0 }),
});
export type SizePolicy = z.output<typeof SizeSchema>;

/** The manifest's `storage` field. */
export const StoragePolicySchema = z.strictObject({
  quotaBytes: z.number().check(z.int(), z.minimum(0), z.maximum(MAX_STORAGE_QUOTA_BYTES)),
});
