import { randomUUID } from 'node:crypto';

import {
  errors,
  importJWK,
  jwtVerify,
  SignJWT,
  type CryptoKey,
  type JWTHeaderParameters,
} from 'jose';

import { McError } from '../../sdk/protocol/errors.ts';
import type { RecordStore } from '../engine/index.ts';
import {
  currentKey,
  firstRing,
  isPublished,
  KEY_RING_RECORD,
  parseRing,
  publicJwk,
  rotateRing,
  SIGNING_ALG,
  type KeyRing,
  type StoredKey,
} from './key-ring.ts';
import type { KeySet } from './types.ts';

/** Longest lifetime of any token the server signs (identity tokens, gateway assertions). */
export const MAX_TOKEN_TTL_S = 60;
/** Default interval of automatic key rotation. */
export const DEFAULT_KEY_ROTATION_MS = 24 * 60 * 60 * 1000;
/** Default clock skew allowed between the server and the backends that verify its tokens. */
export const DEFAULT_CLOCK_SKEW_S = 30;
/** How long a process signs with what it last read of the ring before reading it again. */
export const DEFAULT_KEY_REFRESH_MS = 10_000;
/** Seconds past `exp` (or before `iat`) that {@link EngineKeySet.verify} still accepts. */
export const VERIFY_TOLERANCE_S = 5;
/** Longest token text verified; anything longer is refused unread. */
export const MAX_TOKEN_CHARS = 8192;
/** Compare-and-set attempts of one rotation before CONFLICT. */
const CAS_ATTEMPTS = 8;
/** A token naming an unknown `kid` makes a process re-read the ring at most this often. */
const UNKNOWN_KID_REREAD_MS = 1_000;

/** Options of {@link EngineKeySet}. */
export interface KeySetOptions {
  /**
   * The `iss` of every token: the server's public URL. A string (configured) is also checked
   * by {@link EngineKeySet.verify}; a function (the address this process listens on, known
   * after listen) is not, since processes behind one URL each listen on their own address
   * and a signature of the shared ring already proves the token is this deployment's.
   */
  readonly issuer: string | (() => string);
  /** Automatic rotation interval ({@link EngineKeySet.start}). Default 24 h. */
  readonly rotationMs?: number;
  /** Longest token lifetime `sign` accepts, in seconds (1–60). Default 60. */
  readonly maxTtlS?: number;
  /** Clock skew allowed to verifiers, in seconds: retired keys stay published this much longer. Default 30. */
  readonly clockSkewS?: number;
  /** How long a process uses what it read of the ring. Default 10 s, or maxTtlS / 4 if shorter. */
  readonly refreshMs?: number;
  /** Told about rotations and failed automatic rotations (the server's logger). */
  readonly onEvent?: (
    event: 'rotated' | 'rotation-failed',
    detail: Record<string, unknown>,
  ) => void;
  readonly now?: () => number;
}

interface Loaded {
  readonly ring: KeyRing;
  readonly version: number;
  readonly readAt: number;
}

/**
 * The server's {@link KeySet} on the engine's records: every process signs with the key the
 * shared record names current, and publishes the same JWKS. Processes cache the record for
 * `refreshMs`; so that a process still signing with the key just retired is harmless, retired
 * keys stay published for `maxTtlS + clockSkewS` seconds plus `refreshMs` (the grace period).
 */
export class EngineKeySet implements KeySet {
  /** How long a retired key stays in the JWKS, in ms. */
  readonly graceMs: number;
  readonly #records: RecordStore;
  readonly #issuer: () => string;
  readonly #checkIssuer: boolean;
  readonly #rotationMs: number;
  readonly #maxTtlS: number;
  readonly #refreshMs: number;
  readonly #now: () => number;
  readonly #onEvent: NonNullable<KeySetOptions['onEvent']>;
  readonly #keys = new Map<string, Promise<CryptoKey>>();
  #loaded: Loaded | undefined;
  #loading: Promise<Loaded> | undefined;
  #forcedAt = -Infinity;
  #timer: NodeJS.Timeout | undefined;

  constructor(records: RecordStore, options: KeySetOptions) {
    this.#records = records;
    const issuer = options.issuer;
    this.#issuer = typeof issuer === 'string' ? () => issuer : issuer;
    this.#checkIssuer = typeof issuer === 'string';
    this.#rotationMs = positive('rotationMs', options.rotationMs ?? DEFAULT_KEY_ROTATION_MS);
    this.#maxTtlS = options.maxTtlS ?? MAX_TOKEN_TTL_S;
    if (!Number.isInteger(this.#maxTtlS) || this.#maxTtlS < 1 || this.#maxTtlS > MAX_TOKEN_TTL_S) {
      throw new McError(
        'INVALID_ARGUMENT',
        `maxTtlS must be a whole number in 1..${MAX_TOKEN_TTL_S}`,
      );
    }
    const skewS = options.clockSkewS ?? DEFAULT_CLOCK_SKEW_S;
    if (!(skewS >= 0)) throw new McError('INVALID_ARGUMENT', 'clockSkewS must be ≥ 0');
    // A quarter of the longest lifetime at most: the grace period stays mostly lifetime.
    const refreshMs = Math.min(DEFAULT_KEY_REFRESH_MS, (this.#maxTtlS * 1000) / 4);
    this.#refreshMs = positive('refreshMs', options.refreshMs ?? refreshMs);
    this.graceMs = (this.#maxTtlS + skewS) * 1000 + this.#refreshMs;
    this.#now = options.now ?? Date.now;
    this.#onEvent = options.onEvent ?? (() => {});
  }

  /** Longest lifetime {@link sign} accepts, in seconds. */
  get maxTtlS(): number {
    return this.#maxTtlS;
  }

  /**
   * Rotates automatically: checks every `rotationMs / 10` (at most every minute) whether the
   * current key has signed for `rotationMs`, and rotates when it has. Every process runs the
   * check; the compare-and-set lets one of them rotate, the others see the new key.
   */
  start(): void {
    if (this.#timer !== undefined) return;
    const every = Math.min(60_000, Math.max(100, Math.floor(this.#rotationMs / 10)));
    this.#timer = setInterval(() => {
      this.rotateIfDue().catch((error: unknown) =>
        this.#onEvent('rotation-failed', { err: error }),
      );
    }, every);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  async sign(
    claims: Record<string, unknown>,
    options: { readonly audience: string; readonly ttlS: number; readonly type: string },
  ): Promise<string> {
    const { audience, ttlS, type } = options;
    if (!Number.isInteger(ttlS) || ttlS < 1 || ttlS > this.#maxTtlS) {
      throw new McError('INVALID_ARGUMENT', `ttlS must be a whole number in 1..${this.#maxTtlS}`);
    }
    const { ring } = await this.#load(false);
    const key = currentKey(ring);
    if (key === undefined) throw new McError('STORAGE_UNAVAILABLE', 'no current signing key');
    const iat = Math.floor(this.#now() / 1000);
    const jti = typeof claims.jti === 'string' && claims.jti !== '' ? claims.jti : randomUUID();
    return new SignJWT({ ...claims })
      .setProtectedHeader({ alg: SIGNING_ALG, kid: key.kid, typ: type })
      .setIssuer(this.#issuer())
      .setAudience(audience)
      .setIssuedAt(iat)
      .setExpirationTime(iat + ttlS)
      .setJti(jti)
      .sign(await this.#cryptoKey(key, 'private'));
  }

  async verify(
    token: string,
    options: { readonly audience: string; readonly type: string },
  ): Promise<Record<string, unknown>> {
    if (typeof token !== 'string' || token.length > MAX_TOKEN_CHARS) {
      throw new McError('UNAUTHENTICATED', 'not a token');
    }
    try {
      const { payload } = await jwtVerify(token, (header) => this.#verifyingKey(header), {
        algorithms: [SIGNING_ALG],
        typ: options.type,
        audience: options.audience,
        ...(this.#checkIssuer ? { issuer: this.#issuer() } : {}),
        clockTolerance: VERIFY_TOLERANCE_S,
        requiredClaims: ['exp', 'iat', 'jti'],
        currentDate: new Date(this.#now()),
      });
      if ((payload.exp as number) - (payload.iat as number) > this.#maxTtlS) {
        throw new McError('UNAUTHENTICATED', 'token lifetime over the maximum');
      }
      return payload as Record<string, unknown>;
    } catch (error) {
      if (error instanceof McError) throw error;
      throw new McError('UNAUTHENTICATED', refusal(error));
    }
  }

  async jwks(): Promise<{ keys: Record<string, unknown>[] }> {
    const { ring } = await this.#load(false);
    const now = this.#now();
    const order = { current: 0, next: 1, retired: 2 } as const;
    return {
      keys: ring.keys
        .filter((key) => isPublished(key, now, this.graceMs))
        .sort((a, b) => order[a.state] - order[b.state])
        .map((key) => ({ ...publicJwk(key.jwk), kid: key.kid, alg: SIGNING_ALG, use: 'sig' })),
    };
  }

  /** Adds a key: the next one signs from now on, a new one is published as next. */
  async rotate(): Promise<void> {
    await this.#rotate(() => true);
  }

  /** Rotates when the current key has signed for `rotationMs`; resolves to whether it did. */
  async rotateIfDue(): Promise<boolean> {
    return this.#rotate((ring) => {
      const since = currentKey(ring)?.activatedAt ?? 0;
      return since + this.#rotationMs <= this.#now();
    });
  }

  async #rotate(due: (ring: KeyRing) => boolean): Promise<boolean> {
    for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
      const { ring, version } = await this.#load(true);
      if (!due(ring)) return false;
      const next = await rotateRing(ring, this.#now(), this.graceMs);
      const result = await this.#records.compareAndSet(
        KEY_RING_RECORD,
        JSON.stringify(next),
        version,
      );
      if (result.ok) {
        this.#loaded = { ring: next, version: result.version, readAt: this.#now() };
        this.#onEvent('rotated', { kid: currentKey(next)?.kid });
        return true;
      }
      // Another process rotated (or created the ring) meanwhile: decide again on its ring,
      // so both rotations' keys are kept and a due rotation happens once.
    }
    throw new McError('CONFLICT', 'the key ring kept changing; try again');
  }

  /** The ring, read again when `force` or older than `refreshMs`; created on first use. */
  async #load(force: boolean): Promise<Loaded> {
    const loaded = this.#loaded;
    if (!force && loaded !== undefined && this.#now() - loaded.readAt < this.#refreshMs) {
      return loaded;
    }
    if (!force && this.#loading !== undefined) return this.#loading;
    const loading = this.#read().finally(() => {
      if (this.#loading === loading) this.#loading = undefined;
    });
    this.#loading = loading;
    return loading;
  }

  async #read(): Promise<Loaded> {
    for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
      const entry = await this.#records.get(KEY_RING_RECORD);
      const readAt = this.#now();
      if (entry !== undefined) {
        const ring = parseRing(entry.value);
        // Never overwritten: a ring this version cannot read may be a newer server's.
        if (ring === undefined) throw new McError('STORAGE_UNAVAILABLE', 'unreadable key ring');
        this.#loaded = { ring, version: entry.version, readAt };
        return this.#loaded;
      }
      const ring = await firstRing(readAt);
      const result = await this.#records.compareAndSet(KEY_RING_RECORD, JSON.stringify(ring), 0);
      if (result.ok) {
        this.#loaded = { ring, version: result.version, readAt };
        this.#onEvent('rotated', { kid: currentKey(ring)?.kid, first: true });
        return this.#loaded;
      }
      // Another process made the first ring: read and use it.
    }
    throw new McError('CONFLICT', 'the key ring kept changing; try again');
  }

  async #verifyingKey(header: JWTHeaderParameters): Promise<CryptoKey> {
    const kid = header.kid;
    if (typeof kid !== 'string') throw new McError('UNAUTHENTICATED', 'token without kid');
    let key = this.#published((await this.#load(false)).ring, kid);
    // A key another process added since this one last read: read again, not on every token.
    if (key === undefined && this.#now() - this.#forcedAt >= UNKNOWN_KID_REREAD_MS) {
      this.#forcedAt = this.#now();
      key = this.#published((await this.#load(true)).ring, kid);
    }
    if (key === undefined) throw new McError('UNAUTHENTICATED', 'unknown signing key');
    return this.#cryptoKey(key, 'public');
  }

  #published(ring: KeyRing, kid: string): StoredKey | undefined {
    const now = this.#now();
    return ring.keys.find((key) => key.kid === kid && isPublished(key, now, this.graceMs));
  }

  #cryptoKey(key: StoredKey, part: 'private' | 'public'): Promise<CryptoKey> {
    const id = `${part}:${key.kid}`;
    let found = this.#keys.get(id);
    if (found === undefined) {
      const jwk = part === 'private' ? key.jwk : publicJwk(key.jwk);
      found = importJWK(jwk, SIGNING_ALG) as Promise<CryptoKey>;
      this.#keys.set(id, found);
      if (this.#keys.size > 256) this.#keys.delete(this.#keys.keys().next().value!);
    }
    return found;
  }
}

function positive(name: string, ms: number): number {
  if (!Number.isSafeInteger(ms) || ms <= 0) {
    throw new McError('INVALID_ARGUMENT', `${name} must be a positive whole number of ms`);
  }
  return ms;
}

/** A short reason for a refused token, from jose's error codes (never the token itself). */
export function refusal(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'token expired';
  if (error instanceof errors.JWTClaimValidationFailed)
    return `claim ${error.claim}: ${error.reason}`;
  if (error instanceof errors.JOSEError) return error.code;
  return 'not a valid token';
}
