import * as z from 'zod';

/**
 * Host services a widget may call over its penpal link: the wire names, the argument
 * schemas the host checks with `safeParse`, and the shortcut grammar. The SDK imports only
 * types and constants from here (never zod), so its service helpers stay tiny.
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

const Px = z.number().finite().min(0).max(MAX_REQUESTED_PX);

/** `resize`: the content size the widget wants, per axis (omitted = leave that axis). */
export const ResizeRequestSchema = z.strictObject({ width: Px.optional(), height: Px.optional() });
export type ResizeRequest = z.infer<typeof ResizeRequestSchema>;

/** What `resize` answers: the size the host will apply, and whether resizing is frozen. */
export interface ResizeResult {
  width?: number;
  height?: number;
  frozen: boolean;
}

/** `notify`: a toast the host draws, as text. */
export const ToastRequestSchema = z.strictObject({
  text: z.string().trim().min(1).max(MAX_TOAST_TEXT),
  kind: z.enum(['info', 'success', 'warning', 'error']).default('info'),
});
export type ToastRequestInput = z.input<typeof ToastRequestSchema>;
export type ToastRequest = z.output<typeof ToastRequestSchema>;

const Label = z.string().trim().min(1).max(24);

/** `modal`: a confirm or alert dialog the host draws over the widget's slot. */
export const ModalRequestSchema = z.strictObject({
  kind: z.enum(['alert', 'confirm']).default('alert'),
  title: z.string().trim().min(1).max(80).optional(),
  text: z.string().trim().min(1).max(MAX_MODAL_TEXT),
  confirmLabel: Label.optional(),
  cancelLabel: Label.optional(),
});
export type ModalRequestInput = z.input<typeof ModalRequestSchema>;
export type ModalRequest = z.output<typeof ModalRequestSchema>;

/** A storage key: printable, bounded. */
export const StorageKeySchema = z
  .string()
  .min(1)
  .max(MAX_STORAGE_KEY)
  .regex(/^[\x20-\x7e]+$/, 'must be printable ASCII');

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
export const ShortcutSchema = z.string().refine(isShortcut, 'must be a shortcut like "Ctrl+K"');

/** Per-axis sizing: `fixed` keeps the slot's size; `content` follows the widget's requests. */
const AxisSchema = z.strictObject({
  mode: z.enum(['fixed', 'content']).default('fixed'),
  min: z.number().int().min(0).max(10_000).default(0),
  max: z.number().int().min(1).max(10_000).optional(),
});

/** The manifest's `size` field. */
export const SizeSchema = z.strictObject({
  width: AxisSchema.default({ mode: 'fixed', min: 0 }),
  height: AxisSchema.default({ mode: 'fixed', min: 0 }),
});
export type SizePolicy = z.output<typeof SizeSchema>;

/** The manifest's `storage` field. */
export const StoragePolicySchema = z.strictObject({
  quotaBytes: z.number().int().min(0).max(MAX_STORAGE_QUOTA_BYTES),
});

/** A CSS custom property a host may hand widgets as a theme token. */
export const TOKEN_NAME_RE = /^--mc-[a-z0-9-]{1,48}$/;

/** Theme tokens: `--mc-*` names, plain values (no braces, semicolons or markup). */
export const TokensSchema = z
  .record(
    z.string().regex(TOKEN_NAME_RE),
    z
      .string()
      .max(200)
      .regex(/^[^;{}<>\\]*$/, 'must be a plain CSS value'),
  )
  .refine((tokens) => Object.keys(tokens).length <= 64, 'at most 64 tokens');

/** What a host may set with `host.setContext()`; every field is optional. */
export const HostContextPatchSchema = z.strictObject({
  theme: z.enum(['light', 'dark']).optional(),
  locale: z
    .string()
    .min(2)
    .max(35)
    .regex(/^[A-Za-z0-9-]+$/)
    .optional(),
  user: z
    .strictObject({ id: z.string().min(1).max(128), name: z.string().min(1).max(128) })
    .nullable()
    .optional(),
  tokens: TokensSchema.optional(),
});
export type HostContextPatch = z.input<typeof HostContextPatchSchema>;

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
