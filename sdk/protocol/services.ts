import * as z from 'zod/mini';

import { english } from './zod-english.ts';

/**
 * Host services a widget may call over its penpal link: the wire names, the argument
 * schemas the host checks with `safeParse`, and the shortcut grammar. The SDK imports only
 * types and constants from here (never zod), so its service helpers stay tiny; the schemas
 * use `zod/mini`, so the host page carries only the checks it uses.
 */

/** Services a manifest can list in `services`. Context (theme, locale, user) is always on. */
export const SERVICE_NAMES = ['resize', 'notify', 'modal', 'storage', 'shortcuts'] as const;
/** One of {@link SERVICE_NAMES}. */
export type ServiceName = (typeof SERVICE_NAMES)[number];

/** Longest toast text, in characters; longer requests are refused, not cut. */
export const MAX_TOAST_TEXT = 300;
/** Longest modal body text. */
export const MAX_MODAL_TEXT = 1000;
/** Longest storage key. */
export const MAX_STORAGE_KEY = 128;
/** Default per-app storage quota (keys plus JSON values, in UTF-16 code units). */
export const DEFAULT_STORAGE_QUOTA_BYTES = 64 * 1024;
/** Largest quota a manifest may ask for. */
export const MAX_STORAGE_QUOTA_BYTES = 1024 * 1024;
/** Largest size a widget may ask for on either axis, before clamping. */
export const MAX_REQUESTED_PX = 100_000;

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

/** What `resize` answers: the size the host will apply, and whether resizing is frozen. */
export type ResizeResult = PixelSize & { frozen: boolean };

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

/**
 * A keyboard shortcut: modifiers in the order Ctrl, Alt, Shift, Meta, then one key. At
 * least one of Ctrl, Alt or Meta is required, except for function keys, so that a widget
 * cannot claim plain typing.
 */
export const SHORTCUT_RE =
  /^(?:(?:Ctrl\+)?(?:Alt\+)?(?:Shift\+)?(?:Meta\+)?)(?:[A-Z0-9]|F[1-9]|F1[0-2]|Enter|Escape|Space|ArrowUp|ArrowDown|ArrowLeft|ArrowRight|Backspace|Delete)$/;

/** True when `combo` follows {@link SHORTCUT_RE} and has a real modifier (or is a function key). */
export function isShortcut(combo: unknown): combo is string {
  if (typeof combo !== 'string' || combo.length > 40 || !SHORTCUT_RE.test(combo)) return false;
  return /(?:^|\+)(?:Ctrl|Alt|Meta)\+/.test(combo) || /(?:^|\+)F\d+$/.test(combo);
}

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

/**
 * Penpal methods a widget may call on the host besides `hello`. Only the methods of the
 * services its manifest lists exist in its table: a denied service and an unknown one look
 * the same.
 */
export type ServiceMethods = {
  resize(request: ResizeRequest): Promise<ResizeResult>;
  notify(request: ToastRequestInput): Promise<void>;
  modal(request: ModalRequestInput): Promise<boolean>;
  /** The stored value as JSON text, or null. */
  storageGet(key: string): Promise<string | null>;
  /** Stores a value sent as JSON text (its length is checked before it is parsed). */
  storageSet(key: string, json: string): Promise<void>;
  storageRemove(key: string): Promise<void>;
  storageKeys(): Promise<string[]>;
  shortcuts(): Promise<string[]>;
  shortcut(combo: string): Promise<void>;
};

/** The penpal method names each service adds. */
export const SERVICE_METHODS: Readonly<Record<ServiceName, readonly (keyof ServiceMethods)[]>> =
  /* @__PURE__ */ Object.freeze({
    resize: ['resize'],
    notify: ['notify'],
    modal: ['modal'],
    storage: ['storageGet', 'storageSet', 'storageRemove', 'storageKeys'],
    shortcuts: ['shortcuts', 'shortcut'],
  });
