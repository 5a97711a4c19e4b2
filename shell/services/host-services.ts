import {
  McError,
  type HostContextPatch,
  type ServiceName,
  type ToastRequest,
} from '../../sdk/protocol/index.ts';
import { ContextService } from './context-service.ts';
import type { IdentityProvider } from './identity-provider.ts';
import type { ServiceCaller } from './service-surface.ts';
import { ServiceLimiter } from './service-limiter.ts';
import type { SessionServices, SharedServices } from './session-services.ts';
import { MemoryStorageBackend, type StorageBackend } from './storage-backend.ts';
import { StorageService } from './storage-service.ts';
import { ToastStack } from './toast-stack.ts';

/** Options of {@link HostServices} (passed through `new Host({ … })`). */
export interface HostServicesOptions {
  /** Where widgets' stored values live: memory by default, or `IndexedDbStorageBackend`. */
  storage?: StorageBackend;
  /** The initial theme, locale, user and tokens. */
  context?: HostContextPatch;
  /** How long a toast stays up (tests shorten it). */
  toastLifetimeMs?: number;
}

/**
 * The host's services for widgets: context (theme, locale, user, tokens), toasts, modal
 * dialogs, storage, resize, shortcuts and identity tokens. One per {@link Host}; each mount binds its own
 * {@link SessionServices}, which its frame session adds to the penpal methods table.
 */
export class HostServices implements SharedServices {
  readonly context: ContextService;
  readonly storage: StorageService;
  readonly toasts: ToastStack;
  readonly limiter = new ServiceLimiter();
  /**
   * Mints widgets' identity tokens (`identity` service); set by `IdentityRemote.start()`.
   * Undefined: `identityToken` calls fail with `NOT_READY`.
   */
  identity: IdentityProvider | undefined;
  /**
   * Whether an app may still call a service its manifest lists: false once the host revoked
   * it (`Host.revoke`, which sets this). Checked on every call.
   */
  allows: (appId: string, service: ServiceName) => boolean = () => true;
  readonly #modals = new Set<string>();

  constructor(options: HostServicesOptions = {}) {
    this.context = new ContextService(options.context);
    this.storage = new StorageService(options.storage ?? new MemoryStorageBackend());
    this.toasts = new ToastStack(options.toastLifetimeMs);
  }

  /**
   * The services of one mount, bound to it. Their code loads with the first mount, not with
   * the page (docs/decisions/0012-performance.md).
   */
  async bind(caller: ServiceCaller): Promise<SessionServices> {
    const { SessionServices } = await import('./session-services.ts');
    return new SessionServices(this, caller);
  }

  /** Shows a toast labelled with the app's name. */
  showToast(appId: string, appName: string, request: ToastRequest): void {
    this.toasts.show(appId, appName, request);
  }

  /** One dialog at a time per app: `SERVICE_BUSY` while one is open; returns the release. */
  claimModal(appId: string): () => void {
    if (this.#modals.has(appId)) throw new McError('SERVICE_BUSY', 'a dialog is already open');
    this.#modals.add(appId);
    return () => this.#modals.delete(appId);
  }

  /** Stops the toasts' timers and removes an automatically placed toast view. */
  destroy(): void {
    this.toasts.destroy();
  }
}
