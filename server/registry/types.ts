import type { AppEntry, AppHealth } from '../../sdk/protocol/registry.ts';

/** An entry as stored, with the ETag its next update must name in `If-Match`. */
export interface StoredApp {
  readonly entry: AppEntry;
  /** A quoted strong ETag (`"17"`), from the record's version. */
  readonly etag: string;
}

/**
 * What the gateway, tokens, webhooks and queues read of the registry (server/registry/
 * implements it on the engine's records). Reads may be served from a cache that every
 * process refreshes when an entry changes (pub/sub) and at least every few seconds.
 */
export interface RegistryReader {
  get(appId: string): Promise<StoredApp | undefined>;
  list(): Promise<StoredApp[]>;
  health(appId: string): Promise<AppHealth>;
}

/**
 * Backends authenticate with an app credential (`Authorization: Bearer mcapp_…`), issued by
 * an admin per app and stored hashed: resolves to the app id, or throws UNAUTHENTICATED.
 */
export type AppAuthenticator = (authorization: string | undefined) => Promise<string>;
