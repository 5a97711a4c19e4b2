import { createRemoteJWKSet, errors, jwtVerify } from 'jose';
import * as z from 'zod/mini';

import { McError } from '../../sdk/protocol/errors.ts';
import { IdentityClaimsSchema } from '../tokens/claims.ts';
import { ASSERTION_TOKEN_TYPE } from '../tokens/token-types.ts';
import type { IdentityClaims } from '../tokens/types.ts';

/** The gateway's assertion lives 30 s; one claiming longer is refused. */
const MAX_LIFETIME_S = 60;
const MAX_TOKEN_CHARS = 8192;
/** The header the gateway sets on every forwarded request. */
export const ASSERTION_HEADER = 'x-microcanvas-assertion';

const AssertionClaimsSchema = z.extend(IdentityClaimsSchema, {
  htm: z.string(),
  htu: z.string(),
});

/** What a backend knows once the gateway's assertion checked out. */
export interface AssertionClaims extends IdentityClaims {
  /** The method of the request it was made for. */
  readonly htm: string;
  /** The path (no query) of the request it was made for, as the backend receives it. */
  readonly htu: string;
}

/** Options of {@link createAssertionVerifier}. */
export interface AssertionVerifierOptions {
  /** The server's key set: `https://canvas-server.example/.well-known/jwks.json`. */
  readonly jwksUrl: string | URL;
  /** Your app's id: an assertion for any other app is refused. */
  readonly audience: string;
  /** The server's URL as its tokens name it (`iss`). Checked when given; recommended. */
  readonly issuer?: string;
  /** Seconds of clock difference tolerated. Default 5. */
  readonly clockToleranceS?: number;
}

/** The parts of an incoming request an assertion is checked against (Node's IncomingMessage fits). */
export interface AssertedRequest {
  readonly method?: string | undefined;
  readonly url?: string | undefined;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

/** Verifies the gateway's `X-Microcanvas-Assertion` for one app. */
export interface AssertionVerifier {
  /**
   * Resolves to the claims of the request's assertion, or throws `McError`
   * `UNAUTHENTICATED`: missing, bad signature, another app, expired, or made for another
   * method or path (an assertion captured from one request cannot be presented with another).
   */
  verify(request: AssertedRequest): Promise<AssertionClaims>;
}

/**
 * A verifier of the assertion the gateway adds to each request it forwards to your backend
 * (docs/backends.md, "Gateway"): trust it, never the bare `X-User-Id`, when the backend can
 * be reached other than through the gateway.
 */
export function createAssertionVerifier(options: AssertionVerifierOptions): AssertionVerifier {
  const jwks = createRemoteJWKSet(new URL(options.jwksUrl), {
    cooldownDuration: 30_000,
    cacheMaxAge: 600_000,
  });
  const { audience, issuer } = options;
  const clockTolerance = options.clockToleranceS ?? 5;
  return {
    async verify(request) {
      const token = request.headers[ASSERTION_HEADER];
      if (typeof token !== 'string' || token.length > MAX_TOKEN_CHARS) {
        throw new McError('UNAUTHENTICATED', 'no gateway assertion');
      }
      let payload: unknown;
      try {
        ({ payload } = await jwtVerify(token, jwks, {
          algorithms: ['ES256'],
          typ: ASSERTION_TOKEN_TYPE,
          audience,
          ...(issuer === undefined ? {} : { issuer }),
          clockTolerance,
          requiredClaims: ['exp', 'iat', 'jti', 'sub'],
        }));
      } catch (error) {
        throw new McError(
          'UNAUTHENTICATED',
          error instanceof errors.JWTExpired
            ? 'assertion expired'
            : error instanceof errors.JOSEError
              ? error.code
              : 'keys unavailable or assertion malformed',
        );
      }
      const parsed = AssertionClaimsSchema.safeParse(payload);
      if (!parsed.success) throw new McError('UNAUTHENTICATED', 'assertion claims malformed');
      const claims = parsed.data as AssertionClaims;
      if (claims.exp - claims.iat > MAX_LIFETIME_S) {
        throw new McError('UNAUTHENTICATED', 'assertion lifetime over 60 s');
      }
      const path = new URL(request.url ?? '/', 'http://backend').pathname;
      if (claims.htm !== (request.method ?? 'GET') || claims.htu !== path) {
        throw new McError('UNAUTHENTICATED', 'assertion made for another request');
      }
      return claims;
    },
  };
}
