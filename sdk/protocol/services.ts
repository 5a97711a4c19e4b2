/**
 * Host services a widget may call over its penpal link: the wire names, the limits and the
 * shortcut grammar. No zod here: the argument schemas are in service-schemas.ts, which the
 * host page loads when the first service call arrives (docs/decisions/0012-performance.md),
 * and the SDK imports only types and constants.
 */
import type {
  ModalRequestInput,
  PixelSize,
  ResizeRequest,
  ToastRequestInput,
} from './service-schemas.ts';

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

/** What `resize` answers: the size the host will apply, and whether resizing is frozen. */
export type ResizeResult = PixelSize & { frozen: boolean };

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
