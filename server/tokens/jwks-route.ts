import { sendJson } from '../http/respond.ts';
import type { Route } from '../http/route.ts';
import type { KeySet } from './types.ts';

/** Where backends fetch the server's public keys. */
export const JWKS_PATH = '/.well-known/jwks.json';
/**
 * How long a JWKS may be cached. Short, although a key is published one rotation before it
 * signs (key-ring.ts): an explicit `rotate()` after a leak must reach backends quickly.
 */
export const JWKS_MAX_AGE_S = 60;

/**
 * `GET /.well-known/jwks.json`: the public keys that verify the server's tokens (RFC 7517).
 * Public by nature: any origin may read it (CORS `*`), no credential is looked at.
 */
export function jwksRoute(keys: KeySet): Route {
  return {
    methods: ['GET'],
    path: JWKS_PATH,
    name: JWKS_PATH,
    async handle({ res }) {
      return sendJson(res, 200, await keys.jwks(), {
        'access-control-allow-origin': '*',
        'cache-control': `public, max-age=${JWKS_MAX_AGE_S}`,
      });
    },
  };
}
