import type { ServerResponse } from 'node:http';

import { McError } from '../../sdk/protocol/errors.ts';
import {
  IDENTITY_TOKEN_PATH,
  IdentityRequestSchema,
  type IdentityToken,
} from '../../sdk/protocol/identity.ts';
import { readJson } from '../http/body.ts';
import { sendError, sendJson } from '../http/respond.ts';
import type { Route } from '../http/route.ts';
import type { RegistryReader } from '../registry/types.ts';
import type { Spaces } from '../spaces/spaces.ts';
import type { Authenticate } from '../transport/auth.ts';
import type { MintResult, TokenMetrics } from './token-metrics.ts';
import { IDENTITY_TOKEN_TYPE } from './token-types.ts';
import type { KeySet } from './types.ts';
import type { UserLimiter } from './user-limiter.ts';

export { IDENTITY_TOKEN_PATH };
/** A request body is a few ids: anything bigger is refused unread. */
const MAX_BODY_BYTES = 1024;

/** What the route needs of the server. */
export interface IdentityRouteDeps {
  readonly keys: KeySet;
  readonly spaces: Spaces;
  readonly registry: RegistryReader;
  /** The server's authentication hook (the WebSocket's), given the HTTP request. */
  readonly authenticate: Authenticate | undefined;
  /** True for the configured host origins. */
  readonly allowsOrigin: (origin: string | undefined) => boolean;
  readonly ttlS: number;
  readonly limiter: UserLimiter;
  readonly metrics: TokenMetrics;
}

/**
 * `POST /tokens/identity {app, space, slot}` → `{token, expiresAt}`: a short-lived identity
 * token (docs/backends.md, "Identity tokens") for `app`, the caller, the space and the slot.
 *
 * The caller is the host page, with the user's token in `Authorization: Bearer` (checked by
 * the same hook as the WebSocket's); the user must be a member of the space (a missing space
 * and a foreign one are the same 404), the app must be in the registry, and the token
 * must list the `identity` service in its registry manifest, and the token carries that
 * manifest's scopes, never the caller's. Browsers may call it only from
 * the configured host origins (CORS, preflight included); a request from another origin is
 * refused before anything is read. Requests without `Origin` (not from a browser) pass that
 * check: the bearer token is the credential, and no cookie is ever looked at.
 */
export function identityRoute(deps: IdentityRouteDeps): Route {
  const count = (result: MintResult) => deps.metrics.minted.inc({ result });
  return {
    methods: ['POST', 'OPTIONS'],
    path: IDENTITY_TOKEN_PATH,
    name: IDENTITY_TOKEN_PATH,
    async handle({ req, res }) {
      const origin = req.headers.origin;
      if (origin !== undefined) {
        if (!deps.allowsOrigin(origin)) {
          count('origin');
          return sendError(res, new McError('NOT_PERMITTED', 'origin not allowed'));
        }
        res.setHeader('access-control-allow-origin', origin);
        res.setHeader('vary', 'Origin');
      }
      if (req.method === 'OPTIONS') {
        res.setHeader('access-control-allow-methods', 'POST');
        res.setHeader('access-control-allow-headers', 'authorization, content-type');
        res.setHeader('access-control-max-age', '600');
        res.writeHead(204).end();
        return 204;
      }
      res.setHeader('cache-control', 'no-store');
      let user: string | undefined;
      try {
        user = (await deps.authenticate?.(req))?.userId;
      } catch {
        user = undefined;
      }
      if (user === undefined) {
        count('unauthenticated');
        res.setHeader('www-authenticate', 'Bearer');
        return sendError(res, new McError('UNAUTHENTICATED', 'a valid bearer token is required'));
      }
      if (!deps.limiter.take(user)) {
        count('rate_limited');
        res.setHeader('retry-after', String(deps.limiter.retryAfterS()));
        return sendError(res, new McError('RATE_LIMITED', 'too many identity token requests'));
      }
      let body: unknown;
      try {
        body = await readJson(req, MAX_BODY_BYTES);
      } catch (error) {
        count('invalid');
        throw error;
      }
      const parsed = IdentityRequestSchema.safeParse(body);
      if (!parsed.success) {
        count('invalid');
        return sendError(res, new McError('INVALID_ARGUMENT', 'expected {app, space, slot}'));
      }
      const { app, space, slot } = parsed.data;
      try {
        await deps.spaces.access(space, user);
        const stored = await deps.registry.get(app);
        if (stored === undefined) throw new McError('UNKNOWN_APP', `no app ${app} in the registry`);
        // Deny by default here too: only apps whose registry manifest lists the `identity`
        // service ever get tokens (and so reach their backend through the gateway), whatever
        // a host page registered for itself.
        if (!stored.entry.manifest.services.includes('identity')) {
          throw new McError('NOT_PERMITTED', `app ${app} does not use the identity service`);
        }
        const token = await deps.keys.sign(
          { sub: user, space, slot, scopes: [...stored.entry.manifest.scopes] },
          { audience: app, ttlS: deps.ttlS, type: IDENTITY_TOKEN_TYPE },
        );
        count('issued');
        return send(res, token);
      } catch (error) {
        const code = error instanceof McError ? error.code : undefined;
        count(RESULTS[code ?? ''] ?? 'error');
        throw error;
      }
    },
  };
}

/** The metric's result for each refusal after the body was read. */
const RESULTS: Readonly<Record<string, MintResult>> = {
  NOT_FOUND: 'not_found',
  UNKNOWN_APP: 'unknown_app',
  NOT_PERMITTED: 'not_permitted',
};

function send(res: ServerResponse, token: string): number {
  // The expiry as signed, so the host's cache and the token never disagree.
  const payload = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as {
    exp: number;
  };
  const answer: IdentityToken = { token, expiresAt: payload.exp * 1000 };
  return sendJson(res, 200, answer);
}
