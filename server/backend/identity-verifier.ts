import { createRemoteJWKSet, jwtVerify, errors } from 'jose';

import { McError } from '../../sdk/protocol/errors.ts';
import { IdentityClaimsSchema } from '../tokens/claims.ts';
import { IDENTITY_TOKEN_TYPE } from '../tokens/token-types.ts';
import type { IdentityClaims } from '../tokens/types.ts';
import type { ReplayGuard } from './replay-guard.ts';

/** Longest lifetime of a microcanvas identity token; a longer-lived one is refused. */
const MAX_LIFETIME_S = 60;
/** Longest token text looked at. */
const MAX_TOKEN_CHARS = 8192;

/** Options of {@link createIdentityVerifier}. */
export interface IdentityVerifierOptions {
  /** The server's key set: `https://canvas-server.example/.well-known/jwks.json`. */
  readonly jwksUrl: string | URL;
  /** Your app's id: a token for any other app is refused. */
  readonly audience: string;
  /** The server's URL as its tokens name it (`iss`). Checked when given; recommended. */
  readonly issuer?: string;
  /** Seconds of clock difference tolerated on `exp` and `iat`. Default 5. */
  readonly clockToleranceS?: number;
  /**
   * Least time between two JWKS fetches caused by a token naming an unknown key, in ms
   * (jose's `cooldownDuration`). Default 30 s: tokens with made-up key ids cannot make the
   * backend fetch the JWKS on every request.
   */
  readonly jwksCooldownMs?: number;
  /** Longest time the fetched keys are used before fetching again, in ms. Default 10 min. */
  readonly jwksMaxAgeMs?: number;
  /** Refuses a token whose `jti` it saw before ({@link createReplayGuard}). */
  readonly replayGuard?: ReplayGuard;
}

/** Verifies identity tokens for one app. */
export interface IdentityVerifier {
  /**
   * Resolves to the token's claims, or throws `McError` `UNAUTHENTICATED` (bad signature,
   * unknown key, another type or audience or issuer, expired, replayed, malformed, or the
   * keys could not be fetched: the message says which).
   */
  verify(token: string): Promise<IdentityClaims>;
}

/**
 * A verifier of the identity tokens the microcanvas server mints for your app's widgets
 * (docs/backends.md, "Identity tokens"): ES256 only (so neither `alg: none` nor an HMAC
 * signature made with the public key passes), `typ` `mc-id+jwt`, `aud` your app, an `exp`
 * in the future, a lifetime of at most 60 s, and the claims' shapes.
 */
export function createIdentityVerifier(options: IdentityVerifierOptions): IdentityVerifier {
  const jwks = createRemoteJWKSet(new URL(options.jwksUrl), {
    cooldownDuration: options.jwksCooldownMs ?? 30_000,
    cacheMaxAge: options.jwksMaxAgeMs ?? 600_000,
  });
  const { audience, issuer, replayGuard } = options;
  const clockTolerance = options.clockToleranceS ?? 5;
  return {
    async verify(token) {
      if (typeof token !== 'string' || token.length > MAX_TOKEN_CHARS) {
        throw new McError('UNAUTHENTICATED', 'not a token');
      }
      let payload: unknown;
      try {
        ({ payload } = await jwtVerify(token, jwks, {
          algorithms: ['ES256'],
          typ: IDENTITY_TOKEN_TYPE,
          audience,
          ...(issuer === undefined ? {} : { issuer }),
          clockTolerance,
          requiredClaims: ['exp', 'iat', 'jti', 'sub'],
        }));
      } catch (error) {
        throw new McError('UNAUTHENTICATED', reason(error));
      }
      const parsed = IdentityClaimsSchema.safeParse(payload);
      if (!parsed.success) throw new McError('UNAUTHENTICATED', 'claims malformed');
      const claims = parsed.data;
      if (claims.exp - claims.iat > MAX_LIFETIME_S) {
        throw new McError('UNAUTHENTICATED', 'token lifetime over 60 s');
      }
      if (replayGuard !== undefined && !(await replayGuard.claim(claims.jti, claims.exp * 1000))) {
        throw new McError('UNAUTHENTICATED', 'token already used');
      }
      return claims;
    },
  };
}

function reason(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'token expired';
  if (error instanceof errors.JWTClaimValidationFailed)
    return `claim ${error.claim}: ${error.reason}`;
  if (error instanceof errors.JWKSNoMatchingKey) return 'unknown signing key';
  if (error instanceof errors.JWKSTimeout) return 'keys unavailable (JWKS timeout)';
  if (error instanceof errors.JOSEError) return error.code;
  return 'keys unavailable or token malformed';
}
