import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

import { McError } from '../../sdk/protocol/errors.ts';

/** The shortest admin token accepted: 32 characters, like MC_AUTH_SECRET. */
export const ADMIN_TOKEN_MIN_LENGTH = 32;

/** Throws INVALID_ARGUMENT unless `token` can be the admin token. */
export function checkAdminToken(token: string | undefined): void {
  if (token !== undefined && token.length < ADMIN_TOKEN_MIN_LENGTH) {
    throw new McError(
      'INVALID_ARGUMENT',
      `the admin token (MC_ADMIN_TOKEN) must be at least ${ADMIN_TOKEN_MIN_LENGTH} characters`,
    );
  }
}

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/**
 * The registry's admin check: `Authorization: Bearer <adminToken>`, compared in constant
 * time (both sides hashed first, so the length leaks nothing either). Without a configured
 * token every admin route is off (403), never open.
 */
export class AdminAccess {
  readonly #digest: Buffer | undefined;

  constructor(token: string | undefined) {
    checkAdminToken(token);
    this.#digest = token === undefined ? undefined : digest(token);
  }

  /** Throws NOT_PERMITTED (no token configured) or UNAUTHENTICATED (missing or wrong). */
  require(req: IncomingMessage, res: ServerResponse): void {
    if (this.#digest === undefined) {
      throw new McError(
        'NOT_PERMITTED',
        'registry writes are off: the server has no admin token (set MC_ADMIN_TOKEN)',
      );
    }
    if (!this.#matches(req.headers.authorization)) {
      res.setHeader('www-authenticate', 'Bearer realm="microcanvas-registry"');
      throw new McError('UNAUTHENTICATED', 'an admin credential (Bearer token) is required');
    }
  }

  /**
   * For reads with an optional admin view: false without an Authorization header; a header
   * that is not the admin token throws, so that a mistyped token is not silently served the
   * public view.
   */
  optional(req: IncomingMessage, res: ServerResponse): boolean {
    if (req.headers.authorization === undefined) return false;
    this.require(req, res);
    return true;
  }

  #matches(authorization: string | undefined): boolean {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (match === null || this.#digest === undefined) return false;
    return timingSafeEqual(digest(match[1]!), this.#digest);
  }
}

/**
 * CORS for the public reads: a configured host origin may read the catalog, its ETags and
 * the event stream. Other origins get no CORS headers (the browser hides the answer); the
 * admin routes never answer CORS, so a browser page cannot write the registry.
 */
export function allowHostOrigin(
  req: IncomingMessage,
  res: ServerResponse,
  origins: ReadonlySet<string>,
): void {
  res.setHeader('vary', 'Origin');
  const origin = req.headers.origin;
  if (origin === undefined || !origins.has(origin)) return;
  res.setHeader('access-control-allow-origin', origin);
  res.setHeader('access-control-expose-headers', 'ETag');
}

/** Answers a CORS preflight of a public read: 204, GET only. */
export function answerPreflight(
  req: IncomingMessage,
  res: ServerResponse,
  origins: ReadonlySet<string>,
): number {
  allowHostOrigin(req, res, origins);
  if (res.hasHeader('access-control-allow-origin')) {
    res.setHeader('access-control-allow-methods', 'GET');
    res.setHeader('access-control-max-age', '600');
  }
  res.writeHead(204).end();
  return 204;
}
