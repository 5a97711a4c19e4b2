/**
 * The host services' limits and shortcut grammar: zod-free, shared by services.ts (which
 * re-exports them) and service-schemas.ts (the schemas, loaded lazily by the host page) so
 * that neither imports the other's values.
 */

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
/**
 * A content size that returns to where it was twice within this window is an oscillation:
 * the host freezes resizing (docs/services.md).
 */
export const OSCILLATION_WINDOW_MS = 1000;
/** Largest size a widget may ask for on either axis, before clamping. */
export const MAX_REQUESTED_PX = 100_000;

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
