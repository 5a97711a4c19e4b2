import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

import { McError } from '../../sdk/protocol/errors.ts';
import { APP_ID_RE } from '../../sdk/protocol/topics.ts';
import type { RecordStore } from '../engine/index.ts';
import type { AppAuthenticator } from './types.ts';

/** `mcapp_<app>_<43 characters: base64url of 32 random bytes>`. */
const SECRET_BYTES = 32;
const SECRET_TAIL = 43;
const SECRET_RE = /^mcapp_([a-z][a-z0-9_-]{0,31})_([A-Za-z0-9_-]{43})$/;
/** The most credentials an app may hold at once (rotation needs two; a few spare). */
export const MAX_CREDENTIALS_PER_APP = 8;
/** How long a process trusts its copy of an app's credential hashes without a change notice. */
const CACHE_MS = 2_000;
/** Apps whose hashes one process caches; beyond, the cache starts over (ids are caller-chosen). */
const CACHE_APPS_MAX = 1_000;

/** The stored form of a credential: only a hash of the secret. */
interface StoredCredential {
  readonly hash: string;
  readonly created: number;
}

/** What an admin gets once, at issue: the secret is never stored nor shown again. */
export interface IssuedCredential {
  readonly id: string;
  readonly secret: string;
}

const credentialsPrefix = (app: string): string => `registry.creds.${app}`;
const sha256 = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/**
 * App credentials for backends (`Authorization: Bearer mcapp_…`): issued by an admin per
 * app, kept in the engine's records as SHA-256 hashes (a leaked database reveals no usable
 * secret; the secrets are 256 random bits, so a fast hash is enough, no password hashing).
 * Verification compares hashes in constant time. Each process caches an app's hashes for at
 * most {@link CACHE_MS}, dropped at once when any process issues or revokes ({@link forget}).
 */
export class AppCredentials {
  readonly #records: RecordStore;
  readonly #appExists: (app: string) => Promise<boolean>;
  readonly #cache = new Map<string, { at: number; hashes: Buffer[] }>();

  /**
   * `appExists` is asked on every verification: a credential of an app no longer in the
   * registry (deleted while a revocation failed half-way) authenticates nothing.
   */
  constructor(records: RecordStore, appExists: (app: string) => Promise<boolean>) {
    this.#records = records;
    this.#appExists = appExists;
  }

  /** A new credential for `app`; the caller checks that the app exists. */
  async issue(app: string): Promise<IssuedCredential> {
    const held = await this.#records.list(credentialsPrefix(app), MAX_CREDENTIALS_PER_APP + 1);
    if (held.length >= MAX_CREDENTIALS_PER_APP) {
      throw new McError(
        'QUOTA_EXCEEDED',
        `app ${app} holds ${MAX_CREDENTIALS_PER_APP} credentials: revoke one first`,
      );
    }
    const id = randomBytes(12).toString('base64url');
    const secret = `mcapp_${app}_${randomBytes(SECRET_BYTES).toString('base64url')}`;
    const stored: StoredCredential = { hash: sha256(secret).toString('hex'), created: Date.now() };
    await this.#records.set(`${credentialsPrefix(app)}.${id}`, JSON.stringify(stored));
    this.forget(app);
    return { id, secret };
  }

  /** Revokes one credential; resolves to false when the app had no such credential. */
  async revoke(app: string, id: string): Promise<boolean> {
    if (!/^[A-Za-z0-9_-]{16}$/.test(id)) return false;
    const removed = await this.#records.delete(`${credentialsPrefix(app)}.${id}`);
    this.forget(app);
    return removed;
  }

  /** Revokes every credential of `app` (the app was deleted). */
  async revokeAll(app: string): Promise<void> {
    for (const key of await this.#records.list(credentialsPrefix(app))) {
      await this.#records.delete(key);
    }
    this.forget(app);
  }

  /** The ids of `app`'s credentials, with when each was issued. */
  async list(app: string): Promise<Array<{ id: string; created: number }>> {
    const out: Array<{ id: string; created: number }> = [];
    for (const key of await this.#records.list(credentialsPrefix(app))) {
      const stored = await this.#read(key);
      if (stored !== undefined) out.push({ id: key.split('.').at(-1)!, created: stored.created });
    }
    return out;
  }

  /** Drops the cached hashes of `app` (or of every app). */
  forget(app?: string): void {
    if (app === undefined) this.#cache.clear();
    else this.#cache.delete(app);
  }

  /**
   * The {@link AppAuthenticator}: the app id of a valid `Bearer mcapp_…` credential, or
   * UNAUTHENTICATED (the same message for every failure, so a caller learns nothing about
   * which apps or credentials exist).
   */
  readonly authenticate: AppAuthenticator = async (authorization) => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    const parsed = match === null ? null : SECRET_RE.exec(match[1]!);
    if (parsed === null || parsed[2]!.length !== SECRET_TAIL || !APP_ID_RE.test(parsed[1]!)) {
      throw refused();
    }
    const app = parsed[1]!;
    // The (cached) registry first: an invented app id costs no engine read and takes no
    // place in the cache of hashes. Which apps exist is public (GET /registry/apps).
    if (!(await this.#appExists(app))) throw refused();
    const presented = sha256(match![1]!);
    let found = false;
    // Every stored hash is compared, so the time taken does not depend on which one matches.
    for (const hash of await this.#hashes(app)) {
      if (timingSafeEqual(hash, presented)) found = true;
    }
    if (!found) throw refused();
    return app;
  };

  async #hashes(app: string): Promise<Buffer[]> {
    const cached = this.#cache.get(app);
    if (cached !== undefined && Date.now() - cached.at < CACHE_MS) return cached.hashes;
    const hashes: Buffer[] = [];
    for (const key of await this.#records.list(credentialsPrefix(app))) {
      const stored = await this.#read(key);
      if (stored !== undefined) hashes.push(Buffer.from(stored.hash, 'hex'));
    }
    if (this.#cache.size >= CACHE_APPS_MAX) this.#cache.clear();
    this.#cache.set(app, { at: Date.now(), hashes });
    return hashes;
  }

  async #read(key: string): Promise<StoredCredential | undefined> {
    const entry = await this.#records.get(key);
    if (entry === undefined) return undefined;
    try {
      const stored = JSON.parse(entry.value) as Partial<StoredCredential>;
      if (typeof stored.hash !== 'string' || !/^[0-9a-f]{64}$/.test(stored.hash)) return undefined;
      return { hash: stored.hash, created: Number(stored.created) || 0 };
    } catch {
      return undefined;
    }
  }
}

function refused(): McError {
  return new McError('UNAUTHENTICATED', 'a valid app credential (Bearer mcapp_…) is required');
}
