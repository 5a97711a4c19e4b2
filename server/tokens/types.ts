/**
 * The claims of a widget's identity token (docs/backends.md, "Identity tokens"): minted by
 * the server for one app, one user, one space and one slot, at most 60 s long.
 */
export interface IdentityClaims {
  /** The server's URL: who signed it. */
  readonly iss: string;
  /** The app id: a backend accepts only tokens whose audience is its own app. */
  readonly aud: string;
  /** The user id. */
  readonly sub: string;
  readonly space: string;
  readonly slot: string;
  /** The scopes the app's manifest declares. */
  readonly scopes: readonly string[];
  /** Unique per token, for replay protection. */
  readonly jti: string;
  readonly iat: number;
  readonly exp: number;
}

/**
 * The server's signing keys (ES256), kept in the engine's records so that every process
 * signs with the same current key and publishes the same JWKS; rotation adds a key, signs
 * with it, and keeps the previous ones published until tokens they signed have expired.
 */
export interface KeySet {
  /** Signs `claims` (iat/exp/jti filled in when absent) with the current key. */
  sign(
    claims: Record<string, unknown>,
    options: { readonly audience: string; readonly ttlS: number; readonly type: string },
  ): Promise<string>;
  /**
   * Checks signature (any published key), `typ`, audience, expiry and issuer; resolves to
   * the payload or throws UNAUTHENTICATED.
   */
  verify(
    token: string,
    options: { readonly audience: string; readonly type: string },
  ): Promise<Record<string, unknown>>;
  /** `{keys: [...]}` for `/.well-known/jwks.json`. */
  jwks(): Promise<{ keys: Record<string, unknown>[] }>;
  rotate(): Promise<void>;
}
