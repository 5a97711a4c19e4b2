import { PERMISSIONS, type Permission } from '../../sdk/protocol/index.ts';

/**
 * The only sandbox tokens a widget frame ever gets. Scripts run, but the frame has an
 * opaque origin (no `allow-same-origin`), cannot navigate the top page, open popups,
 * submit forms, show modals, download, or lock the pointer. No manifest changes this.
 */
const SANDBOX_TOKENS = ['allow-scripts'] as const;

/** Builds the iframe `sandbox` attribute. The one place sandbox tokens are decided. */
export function sandboxAttribute(): string {
  return SANDBOX_TOKENS.join(' ');
}

/**
 * Builds the iframe `allow` attribute: every feature is denied (`'none'`) except those the
 * manifest lists, which are granted to the frame's own origin only.
 */
export function allowAttribute(granted: readonly Permission[]): string {
  const wanted = new Set(granted);
  const features = Object.keys(PERMISSIONS) as Permission[];
  const denied = ['fullscreen', 'payment', 'display-capture', 'usb', 'serial', 'hid'];
  return [
    ...features.map((p) => `${PERMISSIONS[p]} ${wanted.has(p) ? "'src'" : "'none'"}`),
    ...denied.map((f) => `${f} 'none'`),
  ].join('; ');
}
