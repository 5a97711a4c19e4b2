/** The localStorage key of this browser's device id. */
export const DEVICE_ID_KEY = 'microcanvas.device';

const DEVICE_ID_RE = /^[A-Za-z0-9_-]{8,64}$/;

/** A new random device id: 22 characters of base64url (128 bits). */
export function newDeviceId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let text = '';
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * This browser's device id, made once and kept in localStorage, so that every tab and every
 * visit of this browser is the same device to the server. Where storage is denied (an opaque
 * origin, some private modes) a new id per page load still works: the device is then only
 * this page.
 */
export function deviceId(
  storage: Pick<Storage, 'getItem' | 'setItem'> | undefined = safeStorage(),
): string {
  try {
    const kept = storage?.getItem(DEVICE_ID_KEY);
    if (kept && DEVICE_ID_RE.test(kept)) return kept;
    const id = newDeviceId();
    storage?.setItem(DEVICE_ID_KEY, id);
    return id;
  } catch {
    return newDeviceId();
  }
}

function safeStorage(): Storage | undefined {
  try {
    return globalThis.localStorage;
  } catch {
    return undefined;
  }
}
