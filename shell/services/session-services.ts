import {
  McError,
  MODAL_TIMEOUT_MS,
  serializeError,
  isShortcut,
  SERVICE_METHODS,
  type IdentityToken,
  type Receiver,
  type ResizeResult,
  type ServiceMethods,
  type ServiceName,
  type ToastRequest,
} from '../../sdk/protocol/index.ts';
import type { ContextService } from './context-service.ts';
import type { IdentityProvider } from './identity-provider.ts';
import { requestSchemas } from './request-schemas.ts';
import { ResizeGovernor } from './resize-governor.ts';
import type { ServiceCaller } from './service-surface.ts';
import type { LimitedService, ServiceLimiter } from './service-limiter.ts';
import { parseStorageKey, type StorageService } from './storage-service.ts';

/**
 * What the services of one mount use of those every mount shares. `HostServices` fits it;
 * it is declared here so that this file need not import the file that creates its objects.
 */
export interface SharedServices {
  readonly context: ContextService;
  readonly storage: StorageService;
  readonly limiter: ServiceLimiter;
  /** Mints identity tokens; undefined without a server connection. */
  readonly identity: IdentityProvider | undefined;
  /** False once the host revoked the app's service (live permissions). */
  allows(appId: string, service: ServiceName): boolean;
  /** Shows a toast labelled with the app's name. */
  showToast(appId: string, appName: string, request: ToastRequest): void;
  /** Claims the app's one dialog (`SERVICE_BUSY` while one is open); returns the release. */
  claimModal(appId: string): () => void;
}

type Method = (...args: unknown[]) => Promise<unknown>;
type Methods = Receiver<ServiceMethods>;

/**
 * The host services of one mount: the penpal methods its manifest grants (and only those:
 * a denied service is absent, like an unknown one), bound to the caller's identity. Every
 * argument is untrusted: checked with zod, refused with an `McError` that crosses as
 * `{ name, code, message }`, never a host stack and never an uncaught error in the page.
 */
export class SessionServices {
  /** The methods to add to the mount's penpal table (a null-prototype object). */
  readonly methods: Partial<Methods> = Object.create(null);
  readonly #services: SharedServices;
  readonly #caller: ServiceCaller;
  #governor: ResizeGovernor;
  #modal: AbortController | undefined;
  readonly #stopContext: () => void;

  constructor(services: SharedServices, caller: ServiceCaller) {
    this.#services = services;
    this.#caller = caller;
    this.#governor = new ResizeGovernor(caller.manifest.size);
    const impl: Methods = {
      resize: (request) => this.#resize(request),
      notify: (request) => this.#notify(request),
      modal: (request) => this.#openModal(request),
      storageGet: async (key) => {
        const k = parseStorageKey(key);
        this.#take('storage');
        return services.storage.getJson(this.#appId, k);
      },
      storageSet: async (key, value) => {
        const k = parseStorageKey(key);
        this.#take('storage');
        const quota = caller.manifest.storage?.quotaBytes;
        return services.storage.setJson(this.#appId, k, value, quota);
      },
      storageRemove: async (key) => {
        const k = parseStorageKey(key);
        this.#take('storage');
        return services.storage.remove(this.#appId, k);
      },
      storageKeys: async () => {
        this.#take('storage');
        return services.storage.keys(this.#appId);
      },
      shortcuts: async () => [...caller.manifest.shortcuts],
      shortcut: (combo) => this.#shortcut(combo),
      identityToken: (...args: unknown[]) => this.#identityToken(args),
    };
    // Each granted method, wrapped alike: a view of both tables by name, since one wrapper
    // serves methods of different signatures (each keeps its own answer type).
    const table = this.methods as Record<string, Method>;
    for (const service of caller.manifest.services) {
      for (const name of SERVICE_METHODS[service]) {
        const fn = impl[name] as Method;
        table[name] = async (...args: unknown[]) => {
          try {
            if (!caller.live()) throw new McError('APP_DISCONNECTED', 'no live session');
            // The schemas load with the first call: a session that ended meanwhile (a reload,
            // an unmount) must not get a toast shown or a dialog opened for it.
            await requestSchemas();
            if (!caller.live()) throw new McError('APP_DISCONNECTED', 'no live session');
            if (!services.allows(this.#appId, service)) {
              throw new McError('NOT_PERMITTED', 'revoked');
            }
            return await fn(...args);
          } catch (error) {
            throw serializeError(
              error instanceof McError ? error : new McError('INVALID_ARGUMENT', 'refused'),
            );
          }
        };
      }
    }
    this.#stopContext = services.context.onChange(() => {
      if (caller.live())
        caller.pushContext(services.context.contextFor(this.#appId, caller.slotId));
    });
  }

  /**
   * Rate limits count well-formed calls: malformed ones are refused before they cost the
   * host anything, so a widget's junk never eats its own allowance for real requests.
   */
  #take(service: LimitedService): void {
    this.#services.limiter.take(this.#appId, service);
  }

  get #appId(): string {
    return this.#caller.manifest.id;
  }

  /** The session ended (reload, navigation, unmount): close its dialog, forget its sizes. */
  endSession(): void {
    this.#modal?.abort();
    this.#modal = undefined;
    this.#governor = new ResizeGovernor(this.#caller.manifest.size);
  }

  /** The mount ended for good. */
  destroy(): void {
    this.endSession();
    this.#stopContext();
  }

  async #resize(request: unknown): Promise<ResizeResult> {
    const surface = this.#caller.surface;
    const { ResizeRequestSchema } = await requestSchemas();
    const parsed = ResizeRequestSchema.safeParse(request);
    if (!parsed.success)
      throw new McError('INVALID_ARGUMENT', 'resize wants { width?, height? } in px');
    this.#take('resize');
    if (!surface) return { frozen: this.#governor.frozen };
    const wasFrozen = this.#governor.frozen;
    const result = this.#governor.decide(parsed.data, surface.bounds());
    if (!wasFrozen && (result.width !== undefined || result.height !== undefined)) {
      surface.applySize({ width: result.width, height: result.height }, result.frozen);
    }
    return result;
  }

  async #notify(request: unknown): Promise<void> {
    const { ToastRequestSchema } = await requestSchemas();
    const parsed = ToastRequestSchema.safeParse(request);
    if (!parsed.success) {
      throw new McError('INVALID_ARGUMENT', 'notify wants { text (1–300 chars), kind? }');
    }
    this.#take('notify');
    this.#services.showToast(this.#appId, this.#caller.manifest.name, parsed.data);
  }

  async #openModal(request: unknown): Promise<boolean> {
    const { ModalRequestSchema } = await requestSchemas();
    const parsed = ModalRequestSchema.safeParse(request);
    if (!parsed.success) {
      throw new McError('INVALID_ARGUMENT', 'modal wants { kind?, title?, text, …Label? }');
    }
    this.#take('modal');
    const surface = this.#caller.surface;
    if (!surface) throw new McError('NOT_PERMITTED', 'this mount has no slot to draw in');
    const release = this.#services.claimModal(this.#appId);
    const controller = new AbortController();
    this.#modal = controller;
    // The widget stops waiting after MODAL_TIMEOUT_MS; the dialog (and the app's one-dialog
    // lock) must not outlive that.
    const timer = setTimeout(() => controller.abort(), MODAL_TIMEOUT_MS);
    try {
      return await surface.showModal(parsed.data, controller.signal);
    } finally {
      clearTimeout(timer);
      if (this.#modal === controller) this.#modal = undefined;
      release();
    }
  }

  /**
   * The app and slot are the mount's: the widget names nothing (any argument is refused, so a
   * widget that tries to name another app learns only that it cannot).
   */
  async #identityToken(args: unknown[]): Promise<IdentityToken> {
    if (args.some((arg) => arg !== undefined)) {
      throw new McError('INVALID_ARGUMENT', 'identityToken takes no arguments');
    }
    this.#take('identity');
    const provider = this.#services.identity;
    if (!provider) throw new McError('NOT_READY', 'the host has no server connection for tokens');
    const { token, expiresAt, api } = await provider.identityToken({
      app: this.#appId,
      slot: this.#caller.slotId,
    });
    // A token minted for a session that ended meanwhile is not handed to its successor.
    if (!this.#caller.live()) throw new McError('APP_DISCONNECTED', 'no live session');
    // Copied field by field: only what the protocol names reaches the widget.
    return api === undefined ? { token, expiresAt } : { token, expiresAt, api };
  }

  async #shortcut(combo: unknown): Promise<void> {
    if (!isShortcut(combo)) throw new McError('INVALID_ARGUMENT', 'not a shortcut');
    this.#take('shortcuts');
    const declared = this.#caller.manifest.shortcuts.includes(combo);
    const surface = this.#caller.surface;
    // Undeclared and unfocused look alike: the widget learns nothing about other apps.
    if (!declared || !surface?.hasFocus()) {
      throw new McError('NOT_PERMITTED', 'not a declared shortcut of a focused widget');
    }
    surface.shortcut(combo);
  }
}
