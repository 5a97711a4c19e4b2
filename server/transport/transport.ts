import { STATUS_CODES, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';

import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';

import {
  DeviceIdSchema,
  SERVER_PROTOCOL_VERSION,
  SERVER_SUBPROTOCOL,
  SERVER_WS_PATH,
} from '../../sdk/protocol/server-wire.ts';
import type { Authenticate, Identity } from './auth.ts';
import { Connection, type ConnectionLimits, type FrameRouter } from './connection.ts';
import type { TransportMetrics } from './transport-metrics.ts';

/** What the WebSocket endpoint needs; createServer fills it from ServerOptions. */
export interface TransportOptions {
  /** Origins of host pages allowed to connect (`https://app.example`); others get 403. */
  readonly hostOrigins: readonly string[];
  /** Undefined: every upgrade is refused with 401 (no way to know who connects). */
  readonly authenticate: Authenticate | undefined;
  readonly heartbeatMs: number;
  readonly limits: ConnectionLimits;
  readonly router: FrameRouter;
  readonly metrics: TransportMetrics;
  readonly logger: Logger;
}

/**
 * The `/ws` endpoint on the server's HTTP server. Every check happens before the upgrade
 * completes (THREATS.md SRV-1): path, Origin, subprotocol, device id, then the token; a
 * refused client gets a plain HTTP status and its socket is destroyed, nothing read.
 */
export class Transport {
  readonly #options: TransportOptions;
  readonly #wss: WebSocketServer;
  readonly #connections = new Set<Connection>();
  readonly #perUser = new Map<string, number>();
  readonly #origins: ReadonlySet<string>;
  readonly #timer: NodeJS.Timeout;
  #closing = false;

  constructor(options: TransportOptions) {
    this.#options = options;
    this.#origins = new Set(options.hostOrigins);
    this.#wss = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      perMessageDeflate: false,
      // A frame beyond this closes the socket (1009) before it is buffered whole; frames
      // between maxFrameBytes and this are read only to be refused with a typed error.
      maxPayload: options.limits.maxFrameBytes * 4,
      handleProtocols: (offered) => (offered.has(SERVER_SUBPROTOCOL) ? SERVER_SUBPROTOCOL : false),
    });
    this.#timer = setInterval(() => {
      for (const connection of this.#connections) connection.beat();
    }, options.heartbeatMs);
    this.#timer.unref();
  }

  /** Handles upgrades of `http` (other paths get 404). */
  attach(http: Server): void {
    http.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      void this.#upgrade(request, socket, head);
    });
  }

  /** Connections open now. */
  get size(): number {
    return this.#connections.size;
  }

  /** True when `origin` may connect and ask for dev tokens. */
  allowsOrigin(origin: string | undefined): boolean {
    return origin !== undefined && this.#origins.has(origin);
  }

  /** Refuses new upgrades, cuts every connection with `gap {reason: 'shutdown'}`. */
  async close(): Promise<void> {
    this.#closing = true;
    clearInterval(this.#timer);
    const ended = [...this.#connections].map((connection) => {
      connection.cut('shutdown');
      return connection.ended;
    });
    await Promise.all(ended);
    this.#wss.close();
  }

  async #upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => socket.destroy());
    const { logger, metrics } = this.#options;
    const refuse = (status: number, reason: string) => {
      metrics.refusals.inc({ code: `HTTP_${status}` });
      logger.info({ status, reason, origin: request.headers.origin }, 'upgrade refused');
      refuseUpgrade(socket, status);
    };
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname !== SERVER_WS_PATH) return refuse(404, 'path');
    if (this.#closing) return refuse(503, 'shutting down');
    if (!this.allowsOrigin(request.headers.origin)) return refuse(403, 'origin');
    const offered = (request.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((p) => p.trim());
    if (!offered.includes(SERVER_SUBPROTOCOL)) return refuse(400, 'subprotocol');
    const device = DeviceIdSchema.safeParse(url.searchParams.get('device'));
    if (!device.success) return refuse(400, 'device');
    let identity: Identity | undefined;
    try {
      identity = await this.#options.authenticate?.(request);
    } catch (error) {
      logger.warn({ err: error }, 'authenticate threw');
    }
    if (identity === undefined) return refuse(401, 'token');
    // A user's connections are bounded per process, so one token cannot hold the memory of
    // thousands of sockets.
    if ((this.#perUser.get(identity.userId) ?? 0) >= this.#options.limits.maxConnectionsPerUser) {
      return refuse(429, 'connections per user');
    }
    if (socket.destroyed || this.#closing) {
      socket.destroy();
      return;
    }
    this.#wss.handleUpgrade(request, socket, head, (ws) => this.#accept(ws, identity, device.data));
  }

  #accept(ws: WebSocket, identity: Identity, device: string): void {
    const { limits, router, metrics, logger, heartbeatMs } = this.#options;
    const user = identity.userId;
    const connection = new Connection(ws, { user, device }, limits, router, metrics, logger);
    if (identity.expiresAt !== undefined) {
      // setTimeout holds at most 2^31-1 ms (24.8 days); a longer-lived token is re-armed.
      const arm = (): void => {
        const left = identity.expiresAt! - Date.now();
        if (left <= 0) return connection.cut('token-expired');
        expiry = setTimeout(arm, Math.min(left, 2 ** 31 - 1));
      };
      let expiry: NodeJS.Timeout | undefined;
      arm();
      void connection.ended.then(() => clearTimeout(expiry));
    }
    this.#connections.add(connection);
    this.#perUser.set(user, (this.#perUser.get(user) ?? 0) + 1);
    metrics.connections.inc();
    void connection.ended.then(() => {
      this.#connections.delete(connection);
      const left = (this.#perUser.get(user) ?? 1) - 1;
      if (left > 0) this.#perUser.set(user, left);
      else this.#perUser.delete(user);
      metrics.connections.dec();
    });
    connection.log.info('connected');
    connection.send({
      t: 'welcome',
      v: SERVER_PROTOCOL_VERSION,
      user,
      device,
      heartbeatMs,
      limits: { maxFrameBytes: limits.maxFrameBytes, ratePerSec: limits.ratePerSec },
    });
  }
}

/** Answers an upgrade with a plain HTTP status and drops the socket. */
function refuseUpgrade(socket: Duplex, status: number): void {
  const text = STATUS_CODES[status] ?? 'Error';
  if (!socket.writable) return void socket.destroy();
  // Destroyed once the answer is flushed (or after a second, for a peer that does not read).
  socket.once('finish', () => socket.destroy());
  setTimeout(() => socket.destroy(), 1_000).unref();
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\n` +
      `Content-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`,
  );
}
