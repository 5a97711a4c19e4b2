import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

import type { Logger } from 'pino';
import type { Registry } from 'prom-client';

import {
  DEFAULT_HEARTBEAT_MS,
  SERVER_MAX_FRAME_BYTES,
  SERVER_RATE_BURST,
  SERVER_RATE_PER_SEC,
} from '../../sdk/protocol/server-wire.ts';
import { createJwtAuthenticator, type Authenticate } from './auth.ts';
import type { ConnectionLimits, FrameRouter } from './connection.ts';
import { createDevTokenRoute } from './dev-token.ts';
import { Transport } from './transport.ts';
import { TransportMetrics } from './transport-metrics.ts';

export { createJwtAuthenticator, signToken, tokenFromRequest, TOKEN_AUDIENCE } from './auth.ts';
export type { Authenticate, Identity } from './auth.ts';
export { Connection, type ConnectionLimits, type FrameRouter } from './connection.ts';
export { Transport } from './transport.ts';

/** The WebSocket endpoint's options (part of ServerOptions). */
export interface TransportConfig {
  /**
   * Origins of the host pages allowed to open `/ws` (and to ask for dev tokens), e.g.
   * `https://canvas.example`. Default none: every upgrade is refused with 403.
   */
  readonly hostOrigins?: readonly string[];
  /**
   * Who opens a WebSocket, and who asks for identity tokens (`POST /tokens/identity`, token
   * in `Authorization: Bearer`; a hook of your own reads whichever the request carries).
   * Default: an HS256 JWT verifier with {@link authSecret} (audience `microcanvas`, `exp` and
   * `sub` required); without a secret, every upgrade is refused with 401.
   */
  readonly authenticate?: Authenticate;
  /** Shared secret of the default authenticator (at least 32 characters). */
  readonly authSecret?: string;
  /**
   * Serve `POST /dev/token` (demo only: signs a 10-minute token for any user name, for the
   * host origins). Without {@link authSecret}, a random secret is made for this process.
   */
  readonly devTokens?: boolean;
  /** Interval of server pings; a connection that misses one pong is cut. Default 15 s. */
  readonly heartbeatMs?: number;
  /** Per-connection bounds; defaults in sdk/protocol/server-wire.ts and below. */
  readonly limits?: Partial<ConnectionLimits>;
}

/** Bytes queued for one client beyond which it is cut as a slow reader. */
export const DEFAULT_MAX_BUFFERED_BYTES = 1024 * 1024;
/** Requests of one client waiting to be handled beyond which it is cut as a flood. */
export const DEFAULT_MAX_PENDING = 64;
/** Open connections of one user on one process (tabs and devices); more get 429. */
export const DEFAULT_MAX_CONNECTIONS_PER_USER = 32;

/** The transport, and the dev-token route when enabled. */
export function createTransport(
  config: TransportConfig,
  deps: { registry: Registry; logger: Logger; router: FrameRouter },
): {
  transport: Transport;
  devTokenRoute: ((req: IncomingMessage, res: ServerResponse) => Promise<number>) | undefined;
  /** The hook that decides who a request is (WebSocket upgrades and `POST /tokens/identity`). */
  authenticate: Authenticate | undefined;
} {
  const { logger } = deps;
  let secret = config.authSecret;
  if (config.devTokens && secret === undefined) {
    secret = randomBytes(32).toString('base64url');
    logger.warn('dev tokens signed with a random secret: other processes will not accept them');
  }
  const authenticate =
    config.authenticate ?? (secret === undefined ? undefined : createJwtAuthenticator(secret));
  const hostOrigins = config.hostOrigins ?? [];
  if (authenticate === undefined)
    logger.warn('no authenticate hook nor auth secret: /ws refuses everyone');
  if (hostOrigins.length === 0) logger.warn('no host origins: /ws refuses everyone');
  const limits: ConnectionLimits = {
    maxFrameBytes: SERVER_MAX_FRAME_BYTES,
    ratePerSec: SERVER_RATE_PER_SEC,
    burst: SERVER_RATE_BURST,
    maxBufferedBytes: DEFAULT_MAX_BUFFERED_BYTES,
    maxPending: DEFAULT_MAX_PENDING,
    maxConnectionsPerUser: DEFAULT_MAX_CONNECTIONS_PER_USER,
    ...config.limits,
  };
  const transport = new Transport({
    hostOrigins,
    authenticate,
    heartbeatMs: config.heartbeatMs ?? DEFAULT_HEARTBEAT_MS,
    limits,
    router: deps.router,
    metrics: new TransportMetrics(deps.registry),
    logger,
  });
  const devTokenRoute =
    config.devTokens && secret !== undefined
      ? createDevTokenRoute(secret, (origin) => transport.allowsOrigin(origin))
      : undefined;
  if (devTokenRoute)
    logger.warn('POST /dev/token is on: anyone at a host origin can sign in as anyone');
  return { transport, devTokenRoute, authenticate };
}
