import * as z from 'zod/mini';

import { SCOPE_RE } from '../../sdk/protocol/scopes.ts';
import { APP_ID_RE } from '../../sdk/protocol/topics.ts';

/**
 * `IdentityClaims` (types.ts) as a schema: what `POST /tokens/identity` signs and what
 * `microcanvas/backend`'s verifier hands to a backend after the signature, type, audience,
 * issuer and expiry were checked. No server-only imports: the backend entry uses it.
 */
export const IdentityClaimsSchema = z.looseObject({
  iss: z.string(),
  aud: z.string().check(z.regex(APP_ID_RE)),
  sub: z.string().check(z.minLength(1), z.maxLength(128)),
  space: z.string().check(z.minLength(1), z.maxLength(64)),
  slot: z.string().check(z.minLength(1), z.maxLength(128)),
  scopes: z.array(z.string().check(z.regex(SCOPE_RE))).check(z.maxLength(32)),
  jti: z.string().check(z.minLength(1), z.maxLength(128)),
  iat: z.number(),
  exp: z.number(),
});
