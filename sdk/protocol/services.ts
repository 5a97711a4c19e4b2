/**
 * Host services a widget may call over its penpal link: the wire names, the limits and the
 * shortcut grammar. No zod here: the argument schemas are in service-schemas.ts, which the
 * host page loads when the first service call arrives (docs/decisions/0012-performance.md),
 * and the SDK imports only types and constants.
 */
import type { IdentityToken } from './identity.ts';
import type {
  ModalRequestInput,
  PixelSize,
  ResizeRequest,
  ToastRequestInput,
} from './service-schemas.ts';

export * from './service-limits.ts';

/** Services a manifest can list in `services`. Context (theme, locale, user) is always on. */
export const SERVICE_NAMES = [
  'resize',
  'notify',
  'modal',
  'storage',
  'shortcuts',
  'identity',
] as const;
/** One of {@link SERVICE_NAMES}. */
export type ServiceName = (typeof SERVICE_NAMES)[number];

/** What `resize` answers: the size the host will apply, and whether resizing is frozen. */
export type ResizeResult = PixelSize & { frozen: boolean };

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
  /**
   * A short-lived identity token for this widget's app, user, space and slot, minted by the
   * host's server (`identity` service; docs/backends.md "Identity tokens"). No arguments:
   * the host stamps the app and slot from the mount, never from the widget.
   */
  identityToken(): Promise<IdentityToken>;
};

/** The penpal method names each service adds. */
export const SERVICE_METHODS: Readonly<Record<ServiceName, readonly (keyof ServiceMethods)[]>> =
  /* @__PURE__ */ Object.freeze({
    resize: ['resize'],
    notify: ['notify'],
    modal: ['modal'],
    storage: ['storageGet', 'storageSet', 'storageRemove', 'storageKeys'],
    shortcuts: ['shortcuts', 'shortcut'],
    identity: ['identityToken'],
  });
