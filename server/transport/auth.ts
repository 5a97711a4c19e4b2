import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

import { jwtVerify, SignJWT } from 'jose';

import { McError } from '../../sdk/protocol/errors.ts';
import { AUTH_SUBPROTOCOL_PREFIX } from '../../sdk/protocol/server-wire.ts';

/** Who a connection belongs to, as the authentication hook decided. */
export interface Identity {
  /** Stable user id: membership of spaces is by this id. */
  readonly userId: string;
  /**
   * When the credential stops being valid (ms since the epoch): the connection is cut then
   * (`gap {reason: 'token-expired'}`) and the client reconnects with a fresh token. Undefined:
   * the connection lives as long as it is open.
   */
  readonly expiresAt?: number;
}

/**
 * Decides who opens a WebSocket: resolves to the identity, or to undefined (or throws) to
 * refuse the upgrade with 401. Runs before the upgrade completes, so a refused client never
 * reads or writes anything.
 */
export type Authenticate = (request: IncomingMessage) => Promise<Identity | undefined>;

/** The audience every microcanvas token must name. */
export const TOKEN_AUDIENCE = 'microcanvas';
/** Shortest shared secret accepted for HS256 (256 bits as text). */
export const MIN_SECRET_LENGTH = 32;
/** Lifetime of a dev token: long enough for a demo session's reconnects, short if leaked. */
export const DEV_TOKEN_TTL_S = 10 * 60;

const USER_RE = /^[A-Za-z0-9_@.:-]{1,128}$/;

/**
 * The token a client offered: on a WebSocket upgrade, the subprotocol `auth.<jwt>` (browsers
 * cannot set headers on a WebSocket; docs/server.md); on an HTTP request (`POST
 * /tokens/identity`), `Authorization: Bearer <jwt>`. One or the other, never both: a
 * WebSocket's token is its subprotocol's.
 */
export function tokenFromRequest(request: IncomingMessage): string | undefined {
  const header = request.headers['sec-websocket-protocol'];
  if (typeof header !== 'string') {
    if (request.headers.upgrade !== undefined) return undefined;
    const match = /^Bearer +([^\s]+)$/i.exec(request.headers.authorization ?? '');
    return match?.[1];
  }
  for (const part of header.split(',')) {
    const value = part.trim();
    if (value.startsWith(AUTH_SUBPROTOCOL_PREFIX)) {
      return value.slice(AUTH_SUBPROTOCOL_PREFIX.length);
    }
  }
  return undefined;
}

function secretKey(secret: string): Uint8Array {
  if (secret.length < MIN_SECRET_LENGTH) {
    throw new McError(
      'INVALID_ARGUMENT',
      `the auth secret must be at least ${MIN_SECRET_LENGTH} characters`,
    );
  }
  return new TextEncoder().encode(secret);
}

/**
 * The default {@link Authenticate}: an HS256 JWT with audience `microcanvas`, an expiry and a
 * subject (the user id). Any other algorithm, a missing claim or a bad signature refuses.
 */
export function createJwtAuthenticator(secret: string): Authenticate {
  const key = secretKey(secret);
  return async (request) => {
    const token = tokenFromRequest(request);
    if (token === undefined || token.length > 4096) return undefined;
    try {
      const { payload } = await jwtVerify(token, key, {
        algorithms: ['HS256'],
        audience: TOKEN_AUDIENCE,
        requiredClaims: ['exp', 'sub'],
      });
      const user = payload.sub;
      if (typeof user !== 'string' || !USER_RE.test(user)) return undefined;
      // requiredClaims makes exp present; jose has checked it is a number in the future.
      return { userId: user, expiresAt: (payload.exp as number) * 1000 };
    } catch {
      return undefined;
    }
  };
}

/** Signs a token the default authenticator accepts (dev tokens, tests, scripts). */
export async function signToken(
  secret: string,
  userId: string,
  ttlSeconds: number = DEV_TOKEN_TTL_S,
): Promise<string> {
  if (!USER_RE.test(userId)) throw new McError('INVALID_ARGUMENT', 'not a user id');
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(userId)
    .setAudience(TOKEN_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
    .setJti(randomUUID())
    .sign(secretKey(secret));
}
