import type { IncomingMessage } from 'node:http';

import { decodeJwt } from 'jose';
import type * as z from 'zod/mini';

import { McError } from '../../sdk/protocol/errors.ts';
import { IdentityClaimsSchema } from '../tokens/claims.ts';
import { IDENTITY_TOKEN_TYPE } from '../tokens/token-types.ts';
import type { KeySet } from '../tokens/types.ts';

/** A verified identity token's claims. */
export type GatewayIdentity = z.output<typeof IdentityClaimsSchema>;

const MAX_TOKEN_CHARS = 8 * 1024;

/**
 * The identity of a request for `app`: its bearer token verified by the server's keys with
 * `app` as the audience. No token, or one that does not verify, has expired or lacks the
 * claims: UNAUTHENTICATED (401). A token that verifies but for another app: NOT_PERMITTED
 * (403), told apart only after its signature checked out, so a forged token learns nothing.
 * Tokens are reusable until they expire (≤ 60 s), like OAuth access tokens: no `jti` store.
 */
export async function authenticate(
  req: IncomingMessage,
  app: string,
  keys: KeySet,
): Promise<GatewayIdentity> {
  const token = bearer(req.headers.authorization);
  let audience: unknown;
  try {
    audience = decodeJwt(token).aud;
  } catch {
    throw new McError('UNAUTHENTICATED', 'the bearer token is not a JWT');
  }
  if (audience !== app) {
    // Verified with the audience it names: 403 if it is a real token for another app.
    if (typeof audience === 'string' && audience.length <= 256) {
      await keys.verify(token, { audience, type: IDENTITY_TOKEN_TYPE }).catch(() => {
        throw new McError('UNAUTHENTICATED', 'the bearer token does not verify');
      });
      throw new McError('NOT_PERMITTED', `the token is for another app, not ${app}`);
    }
    throw new McError('UNAUTHENTICATED', 'the bearer token has no audience');
  }
  let payload: Record<string, unknown>;
  try {
    payload = await keys.verify(token, { audience: app, type: IDENTITY_TOKEN_TYPE });
  } catch {
    throw new McError('UNAUTHENTICATED', 'the bearer token does not verify or has expired');
  }
  const claims = IdentityClaimsSchema.safeParse(payload);
  if (!claims.success) {
    throw new McError('UNAUTHENTICATED', 'the bearer token lacks sub, space or slot');
  }
  return claims.data;
}

function bearer(header: string | undefined): string {
  const match = /^Bearer +([A-Za-z0-9_\-.]+)\s*$/i.exec(header ?? '');
  if (match === null || match[1]!.length > MAX_TOKEN_CHARS) {
    throw new McError('UNAUTHENTICATED', 'Authorization: Bearer <identity token> is required');
  }
  return match[1]!;
}
