import type { Logger } from 'pino';
import type { Registry } from 'prom-client';

import { McError } from '../../sdk/protocol/errors.ts';
import type { RecordStore } from '../engine/index.ts';
import type { Route } from '../http/route.ts';
import type { RegistryReader } from '../registry/types.ts';
import type { Spaces } from '../spaces/spaces.ts';
import type { Authenticate } from '../transport/auth.ts';
import { DEFAULT_KEY_ROTATION_MS, EngineKeySet, MAX_TOKEN_TTL_S } from './engine-key-set.ts';
import { identityRoute } from './identity-route.ts';
import { jwksRoute } from './jwks-route.ts';
import { TokenMetrics } from './token-metrics.ts';
import { UserLimiter } from './user-limiter.ts';

export { EngineKeySet, MAX_TOKEN_TTL_S, DEFAULT_KEY_ROTATION_MS } from './engine-key-set.ts';
export { IDENTITY_TOKEN_PATH } from './identity-route.ts';
export { JWKS_PATH } from './jwks-route.ts';
export { ASSERTION_TOKEN_TYPE, IDENTITY_TOKEN_TYPE } from './token-types.ts';
export type { IdentityClaims, KeySet } from './types.ts';

/** Options of the server's tokens (part of ServerOptions). */
export interface TokenOptions {
  /** Automatic signing key rotation interval, in ms. Default 24 h. */
  readonly keyRotationMs?: number;
  /** Lifetime of an identity token, in seconds (1–60). Default 60. */
  readonly identityTokenTtlS?: number;
  /**
   * Longest lifetime of any token the server signs (identity tokens, gateway assertions), in
   * seconds (1–60): retired keys stay in the JWKS this long plus the clock skew. Default 60;
   * tests lower it to see a retired key go.
   */
  readonly maxTokenTtlS?: number;
  /** Clock skew allowed to backends, in seconds. Default 30. */
  readonly tokenClockSkewS?: number;
  /** The `iss` of the server's tokens: its public URL. Default the URL it listens on. */
  readonly issuer?: string;
}

/** Identity tokens minted per user and process: sustained per second, and burst. */
export const IDENTITY_RATE = { perSecond: 5, burst: 30 } as const;

/** The server's keys and the routes that publish them and mint identity tokens. */
export interface Tokens {
  readonly keys: EngineKeySet;
  readonly routes: readonly Route[];
  close(): void;
}

/** Builds the tokens part of the server; the key ring is read or created on first use. */
export function createTokens(
  options: TokenOptions,
  deps: {
    readonly records: RecordStore;
    readonly registry: RegistryReader;
    readonly spaces: Spaces;
    readonly authenticate: Authenticate | undefined;
    readonly allowsOrigin: (origin: string | undefined) => boolean;
    readonly issuer: () => string;
    readonly metrics: Registry;
    readonly logger: Logger;
  },
): Tokens {
  const metrics = new TokenMetrics(deps.metrics);
  const maxTtlS = options.maxTokenTtlS ?? MAX_TOKEN_TTL_S;
  const ttlS = options.identityTokenTtlS ?? maxTtlS;
  if (!Number.isInteger(ttlS) || ttlS < 1 || ttlS > maxTtlS) {
    throw new McError(
      'INVALID_ARGUMENT',
      `identityTokenTtlS must be a whole number in 1..${maxTtlS}`,
    );
  }
  const issuer = options.issuer;
  const keys = new EngineKeySet(deps.records, {
    issuer: issuer === undefined ? deps.issuer : issuer,
    rotationMs: options.keyRotationMs ?? DEFAULT_KEY_ROTATION_MS,
    maxTtlS,
    ...(options.tokenClockSkewS === undefined ? {} : { clockSkewS: options.tokenClockSkewS }),
    onEvent: (event, detail) => {
      if (event === 'rotated') {
        metrics.rotations.inc();
        deps.logger.info(detail, 'signing key rotated');
      } else deps.logger.warn(detail, 'signing key rotation failed');
    },
  });
  keys.start();
  const mint = identityRoute({
    keys,
    spaces: deps.spaces,
    registry: deps.registry,
    authenticate: deps.authenticate,
    allowsOrigin: deps.allowsOrigin,
    ttlS,
    limiter: new UserLimiter(IDENTITY_RATE.perSecond, IDENTITY_RATE.burst),
    metrics,
  });
  return { keys, routes: [jwksRoute(keys), mint], close: () => keys.stop() };
}
