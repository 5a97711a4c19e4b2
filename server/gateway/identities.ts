import type { IncomingMessage } from 'node:http';

import { ASSERTION_TOKEN_TYPE } from '../tokens/token-types.ts';
import type { KeySet } from '../tokens/types.ts';
import { ExpiringCache } from './expiring-cache.ts';
import { authenticate, type GatewayIdentity } from './identity.ts';

/** Verified tokens and signed assertions remembered (each ≈ 1 KB). */
const CACHE_ENTRIES = 4_096;

/**
 * Who calls (the identity token, verified) and what the backend is told (the assertion,
 * signed), each remembered so that a widget's repeated calls do not pay an ES256
 * verification, and, when `assertionReuseMs` allows, a signature, every time.
 */
export class Identities {
  readonly #keys: KeySet;
  readonly #assertionTtlS: number;
  readonly #assertionReuseMs: number;
  readonly #verified = new ExpiringCache<GatewayIdentity>(CACHE_ENTRIES);
  readonly #assertions = new ExpiringCache<string>(CACHE_ENTRIES);

  constructor(keys: KeySet, options: { assertionTtlS: number; assertionReuseMs: number }) {
    this.#keys = keys;
    this.#assertionTtlS = options.assertionTtlS;
    // At most half the assertion's life, so a reused one always has time left.
    this.#assertionReuseMs = Math.min(options.assertionReuseMs, options.assertionTtlS * 500);
  }

  /**
   * The request's identity (401/403 as {@link authenticate} says), from memory when this
   * very token (the same bytes) verified for this app before and has not expired.
   */
  async identity(req: IncomingMessage, app: string): Promise<GatewayIdentity> {
    const key = `${app} ${req.headers.authorization ?? ''}`;
    const known = this.#verified.get(key);
    if (known !== undefined) return known;
    const identity = await authenticate(req, app, this.#keys);
    this.#verified.set(key, identity, identity.exp * 1000);
    return identity;
  }

  /** The assertion for this call: signed anew, or one signed for the same call ≤ reuse ago. */
  async assertion(
    req: IncomingMessage,
    app: string,
    identity: GatewayIdentity,
    pathname: string,
  ): Promise<string> {
    const method = req.method ?? 'GET';
    const key = `${app} ${req.headers.authorization ?? ''} ${method} ${pathname}`;
    const known = this.#assertions.get(key);
    if (known !== undefined) return known;
    const assertion = await this.#keys.sign(
      {
        sub: identity.sub,
        space: identity.space,
        slot: identity.slot,
        scopes: identity.scopes,
        htm: method,
        htu: pathname,
      },
      { audience: app, ttlS: this.#assertionTtlS, type: ASSERTION_TOKEN_TYPE },
    );
    this.#assertions.set(key, assertion, Date.now() + this.#assertionReuseMs);
    return assertion;
  }
}
