import { McError } from '../../sdk/protocol/errors.ts';
import { IDENTITY_TOKEN_MARGIN_MS, type IdentityToken } from '../../sdk/protocol/identity.ts';
import type { Host } from '../host/host.ts';
import type { IdentityProvider } from '../services/identity-provider.ts';
import type { ServerLink } from './server-link.ts';

/** Options of an {@link IdentityRemote}. */
export interface IdentityRemoteOptions {
  /** The server connection (its URL and the user's token), shared with the canvas's remotes. */
  link: ServerLink;
  /** The space of this canvas: every token names it. */
  space: string;
  /** Tokens kept at most (one per user, app and slot); beyond, the oldest goes. Default 256. */
  maxCached?: number;
  /** The clock; tests move it. */
  now?: () => number;
}

/**
 * The host's `identity` service on its server connection (docs/backends.md "Identity
 * tokens"): a widget's `identityToken()` arrives here with the app and slot of its mount, and
 * goes to the server with this canvas's space and the user's token. A token is reused for the
 * same user, app and slot until {@link IDENTITY_TOKEN_MARGIN_MS} (10 s) before it expires,
 * and requests for one that is on its way share it. Without a connection: `NOT_READY`.
 */
export class IdentityRemote implements IdentityProvider {
  readonly space: string;
  readonly #host: Pick<Host, 'services'>;
  readonly #link: ServerLink;
  readonly #max: number;
  readonly #now: () => number;
  readonly #cache = new Map<string, CacheEntry>();

  constructor(host: Pick<Host, 'services'>, options: IdentityRemoteOptions) {
    this.#host = host;
    this.#link = options.link;
    this.space = options.space;
    this.#max = options.maxCached ?? 256;
    this.#now = options.now ?? Date.now;
  }

  /** Makes this the host's identity service (and starts the link if it is not running). */
  start(): void {
    this.#host.services.identity = this;
    this.#link.start();
  }

  /** Stops serving tokens (calls get `NOT_READY`) and forgets the cached ones. */
  stop(): void {
    if (this.#host.services.identity === this) this.#host.services.identity = undefined;
    this.#cache.clear();
  }

  identityToken(request: { readonly app: string; readonly slot: string }): Promise<IdentityToken> {
    const user = this.#link.welcome?.user;
    if (user === undefined) {
      return Promise.reject(new McError('NOT_READY', `server link is ${this.#link.state}`));
    }
    // Per user too: after a sign-in as someone else, no token of the last user is handed out.
    const key = `${user} ${request.app} ${request.slot}`;
    const cached = this.#cache.get(key);
    // Checked when asked, not on a timer: a background tab's timers run late.
    if (cached && (cached.renewAt === undefined || cached.renewAt > this.#now())) {
      return cached.token;
    }
    const entry: CacheEntry = {
      token: this.#link.identityToken({ app: request.app, space: this.space, slot: request.slot }),
    };
    entry.token.then(
      (token) => (entry.renewAt = token.expiresAt - IDENTITY_TOKEN_MARGIN_MS),
      () => {
        if (this.#cache.get(key) === entry) this.#cache.delete(key);
      },
    );
    this.#cache.delete(key);
    this.#cache.set(key, entry);
    if (this.#cache.size > this.#max) this.#cache.delete(this.#cache.keys().next().value!);
    return entry.token;
  }
}

/** A token on its way (no `renewAt` yet) or received. */
interface CacheEntry {
  readonly token: Promise<IdentityToken>;
  /** When a new token is asked for instead (ms since the epoch). */
  renewAt?: number;
}
