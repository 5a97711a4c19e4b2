import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import * as z from 'zod/mini';

/**
 * The server's signing keys as they are stored, in one record of the engine's record store
 * (so a rotation is one compare-and-set: two processes rotating at once never lose a key).
 * Pure functions over the stored form; {@link EngineKeySet} reads, writes and caches it.
 *
 * The engine holds the PRIVATE keys (JWK with `d`): whoever can read the engine's records
 * (the SQLite file, the Redis or NATS account) can sign tokens every app backend accepts.
 * docs/backends.md says so.
 *
 * Each key has a state:
 * - `next`: published in the JWKS, not signing yet. A key is published one rotation before
 *   it signs, so a backend whose JWKS cache predates the rotation already knows it;
 * - `current`: signs; exactly one;
 * - `retired`: published until `retiredAt` + the grace period (the longest token lifetime,
 *   clock skew and the processes' refresh interval), then dropped.
 */

/** The record's key in the engine's record store. */
export const KEY_RING_RECORD = 'tokens.keys';

const JwkSchema = z.looseObject({
  kty: z.literal('EC'),
  crv: z.literal('P-256'),
  x: z.string(),
  y: z.string(),
  d: z.string(),
});

const StoredKeySchema = z.strictObject({
  kid: z.string().check(z.minLength(1), z.maxLength(128)),
  state: z.enum(['next', 'current', 'retired']),
  /** ms since the epoch. */
  createdAt: z.number(),
  /** When it started signing (ms since the epoch); for `current` and `retired`. */
  activatedAt: z.optional(z.number()),
  /** When it stopped signing (ms since the epoch); only for `retired`. */
  retiredAt: z.optional(z.number()),
  /** The private key (ES256). */
  jwk: JwkSchema,
});
export type StoredKey = z.infer<typeof StoredKeySchema>;

export const KeyRingSchema = z.strictObject({
  v: z.literal(1),
  keys: z.array(StoredKeySchema).check(z.maxLength(64)),
});
export type KeyRing = z.infer<typeof KeyRingSchema>;

/** The only signature algorithm of the server's tokens. */
export const SIGNING_ALG = 'ES256';

/** A new ES256 key in `state`, its `kid` the RFC 7638 thumbprint of its public part. */
export async function newKey(state: 'next' | 'current', now: number): Promise<StoredKey> {
  const { privateKey } = await generateKeyPair(SIGNING_ALG, { extractable: true });
  const jwk = JwkSchema.parse(await exportJWK(privateKey));
  const kid = await calculateJwkThumbprint(publicJwk(jwk));
  return state === 'current'
    ? { kid, state, createdAt: now, activatedAt: now, jwk }
    : { kid, state, createdAt: now, jwk };
}

/** Retired keys kept at most (the oldest go first), however fast rotations come. */
const MAX_RETIRED = 32;

/** A first ring: a current key and the next one. */
export async function firstRing(now: number): Promise<KeyRing> {
  return { v: 1, keys: [await newKey('current', now), await newKey('next', now)] };
}

/**
 * The ring after a rotation at `now`: the current key retires, the next one (published since
 * the last rotation) becomes current, a new next key is made, and retired keys whose grace
 * period is over are dropped.
 */
export async function rotateRing(ring: KeyRing, now: number, graceMs: number): Promise<KeyRing> {
  const retired: StoredKey[] = [];
  const keys: StoredKey[] = [];
  let promoted = false;
  for (const key of ring.keys) {
    if (key.state === 'current') retired.push({ ...key, state: 'retired', retiredAt: now });
    else if (key.state === 'next' && !promoted) {
      keys.push({ ...key, state: 'current', activatedAt: now });
      promoted = true;
    } else if (key.state === 'retired' && isPublished(key, now, graceMs)) retired.push(key);
  }
  retired.sort((a, b) => (b.retiredAt ?? 0) - (a.retiredAt ?? 0));
  keys.push(...retired.slice(0, MAX_RETIRED));
  // A ring without a next key (never written by this code, but parsed from storage) still
  // gets a current one.
  keys.push(await newKey(promoted ? 'next' : 'current', now));
  if (!promoted) keys.push(await newKey('next', now));
  return { v: 1, keys };
}

/** The signing key, if the ring has one. */
export function currentKey(ring: KeyRing): StoredKey | undefined {
  return ring.keys.find((key) => key.state === 'current');
}

/** False for a retired key whose grace period ended before `now`. */
export function isPublished(key: StoredKey, now: number, graceMs: number): boolean {
  return key.state !== 'retired' || (key.retiredAt ?? 0) + graceMs > now;
}

/** The public part of a private JWK (what the JWKS shows). */
export function publicJwk(jwk: StoredKey['jwk']): {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
} {
  return { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y };
}

/** Parses a stored ring; undefined when the record is not one. */
export function parseRing(text: string): KeyRing | undefined {
  try {
    const parsed = KeyRingSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
