import { mkdirSync } from 'node:fs';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';

import { pino, type Logger } from 'pino';

import { McError } from '../sdk/protocol/errors.ts';
import { createEngine, type Engine, type EngineConfig } from './engine/index.ts';
import { checkHealth, ServerMetrics } from './metrics.ts';
import { BusMetrics } from './bus/bus-metrics.ts';
import { EventBus } from './bus/event-bus.ts';
import { CanvasHub } from './canvas/canvas-hub.ts';
import { Spaces } from './spaces/spaces.ts';
import { createTransport, type FrameRouter, type TransportConfig } from './transport/index.ts';
import { matchRoute, type Route } from './http/route.ts';
import { sendError, sendJson } from './http/respond.ts';
import { startRegistry, type RegistryOptions, type RegistryService } from './registry/index.ts';
import { AdminAccess } from './registry/access.ts';
import { createBackendDelivery } from './delivery/backend-delivery.ts';
import type { WebhookOptions } from './webhooks/dispatcher.ts';
import { createTokens, type KeySet, type TokenOptions, type Tokens } from './tokens/index.ts';
import { startBackendApi, type QueueOptions } from './queues/index.ts';
import { Gateway, type GatewayConfig } from './gateway/index.ts';

/** Options of {@link createServer} for HTTP and the engine. */
export interface HttpOptions {
  /** TCP port; 0 picks a free one (see {@link McServer.url}). Default 8787. */
  readonly port?: number;
  /** Interface to bind. Default 127.0.0.1: exposing the server is a deliberate choice. */
  readonly host?: string;
  /**
   * The storage engine: a connected one, or how to connect one. Default: embedded, in
   * `.microcanvas/server.db` under the working directory.
   */
  readonly engine?: Engine | EngineConfig;
  /** A pino logger, or the level of the default one (JSON lines on stdout). Default `info`. */
  readonly logger?: Logger | string;
  /** How long /healthz and the engine_up metric wait for the engine. Default 2 s. */
  readonly healthTimeoutMs?: number;
  /** How long close() waits for requests in flight before cutting them. Default 10 s. */
  readonly shutdownTimeoutMs?: number;
  /** Default sliding time-to-live of a space and its canvas. Default 24 h. */
  readonly spaceTtlMs?: number;
  /** The webhook dispatcher's schedule, timeouts and allowed private addresses. */
  readonly webhooks?: WebhookOptions;
  /** Backends' queues: ack wait, deliveries before the dead letters (docs/backends.md). */
  readonly queues?: QueueOptions;
}

/** Options of {@link createServer}: HTTP, engine, the WebSocket endpoint's, registry, tokens, gateway. */
export type ServerOptions = HttpOptions &
  TransportConfig &
  RegistryOptions &
  TokenOptions &
  GatewayConfig;

/** A running server. */
export interface McServer {
  /** `http://host:port`, with the port actually bound. */
  readonly url: string;
  readonly engine: Engine;
  readonly logger: Logger;
  /** Spaces and their members: `server.spaces.create('team', { members: ['ann'] })`. */
  readonly spaces: Spaces;
  /** The app registry: its reader, and the authenticator of backends' app credentials. */
  readonly registry: RegistryService;
  /**
   * The signing keys shared by every process on the engine (JWKS, identity tokens, gateway
   * assertions); `rotate()` after a suspected leak.
   */
  readonly keys: KeySet;
  /**
   * Graceful stop: /healthz answers 503 at once (load balancers stop sending), no new
   * connections, requests in flight finish (up to shutdownTimeoutMs), then the engine
   * closes. Idempotent.
   */
  close(): Promise<void>;
}

export const DEFAULT_PORT = 8787;
export const DEFAULT_DATA_FILE = '.microcanvas/server.db';
const DEV_TOKEN_PATH = '/dev/token';
/** With dev tokens on, the space `demo` (member `demo`) exists from the start. */
export const DEMO_SPACE = 'demo';

/** Connects the engine, binds the port, and serves /healthz and /metrics. */
export async function createServer(options: ServerOptions = {}): Promise<McServer> {
  const logger =
    typeof options.logger === 'object'
      ? options.logger
      : pino({ name: 'microcanvas-server', level: options.logger ?? 'info' });
  const healthTimeoutMs = options.healthTimeoutMs ?? 2_000;
  const engine = await connectEngine(options.engine, logger);
  const metrics = new ServerMetrics(engine, healthTimeoutMs);
  let closing: Promise<void> | undefined;
  const spaces = new Spaces(engine.kv, options.spaceTtlMs);
  const hub = new CanvasHub(engine, spaces, logger);
  let registry: RegistryService;
  try {
    registry = await startRegistry(engine, options, logger, metrics.registry);
  } catch (error) {
    await engine.close();
    throw error;
  }
  const delivery = createBackendDelivery(
    engine,
    registry.registry,
    logger,
    metrics.registry,
    new AdminAccess(options.adminToken),
    options.webhooks,
  );
  const bus = new EventBus(
    engine,
    spaces,
    logger,
    new BusMetrics(metrics.registry),
    delivery.router,
  );
  // Canvas sync and event sync share the connection; each handles its own frames.
  const router: FrameRouter = {
    handle: (connection, frame) =>
      EventBus.handles(frame) ? bus.handle(connection, frame) : hub.handle(connection, frame),
    closed: (connection) => {
      hub.closed(connection);
      bus.closed(connection);
    },
  };
  const transport = createTransport(options, { registry: metrics.registry, logger, router });
  if (options.devTokens) {
    try {
      await spaces.ensure(DEMO_SPACE, { members: [DEMO_SPACE] });
    } catch (error) {
      await registry.close();
      await engine.close();
      throw error;
    }
    logger.warn({ space: DEMO_SPACE }, 'demo space: member "demo"');
  }
  let url = '';
  let tokens: Tokens;
  try {
    tokens = createTokens(options, {
      records: engine.records,
      registry: registry.registry,
      spaces,
      authenticate: transport.authenticate,
      allowsOrigin: (origin) => transport.transport.allowsOrigin(origin),
      issuer: () => url,
      metrics: metrics.registry,
      logger,
    });
  } catch (error) {
    await registry.close();
    await engine.close();
    throw error;
  }
  let gateway: Gateway;
  try {
    gateway = new Gateway(options, {
      registry: registry.registry,
      keys: tokens.keys,
      logger,
      metrics: metrics.registry,
      hostOrigins: options.hostOrigins ?? [],
      ...(options.maxTokenTtlS === undefined ? {} : { maxTokenTtlS: options.maxTokenTtlS }),
    });
  } catch (error) {
    tokens.close();
    await registry.close();
    await engine.close();
    throw error;
  }

  const backendApi = startBackendApi({
    engine,
    bus,
    registry,
    adminToken: options.adminToken,
    options: options.queues,
    logger,
    prom: metrics.registry,
  });
  const routes: Route[] = [
    {
      methods: ['GET'],
      path: '/healthz',
      name: '/healthz',
      handle: async ({ res }) => {
        const health = closing
          ? { ok: false as const, reason: 'shutting down' }
          : await checkHealth(engine, healthTimeoutMs);
        const body = health.ok
          ? { status: 'ok', engine: engine.name }
          : { status: 'unavailable', engine: engine.name, reason: health.reason };
        if (!health.ok) logger.warn({ reason: health.reason }, 'health check failed');
        return sendJson(res, health.ok ? 200 : 503, body);
      },
    },
    {
      methods: ['GET'],
      path: '/metrics',
      name: '/metrics',
      handle: async ({ res }) => {
        const text = await metrics.registry.metrics();
        res.writeHead(200, { 'content-type': metrics.registry.contentType });
        res.end(text);
        return 200;
      },
    },
    ...registry.routes,
    ...delivery.routes,
    ...backendApi.routes,
  ];
  routes.push(...tokens.routes, gateway.route);
  const devTokenRoute = transport.devTokenRoute;
  if (devTokenRoute !== undefined) {
    routes.push({
      methods: ['POST', 'OPTIONS'],
      path: DEV_TOKEN_PATH,
      name: DEV_TOKEN_PATH,
      handle: ({ req, res }) => devTokenRoute(req, res),
    });
  }

  const http = createHttpServer(async (req: IncomingMessage, res: ServerResponse) => {
    const started = process.hrtime.bigint();
    let name = 'other';
    let status = 500;
    try {
      const url = new URL(req.url ?? '/', 'http://server');
      const match = matchRoute(routes, req.method ?? 'GET', url.pathname);
      if (match === undefined) {
        status = sendJson(res, 404, { error: { code: 'NOT_FOUND', message: 'not found' } });
      } else if (match.route === undefined) {
        res.setHeader('allow', [...new Set(match.allow)].join(', '));
        status = sendJson(res, 405, {
          error: { code: 'INVALID_ARGUMENT', message: 'method not allowed' },
        });
      } else {
        name = match.route.name;
        status = await match.route.handle({ req, res, url, params: match.params });
      }
    } catch (error) {
      if (!(error instanceof McError)) logger.error({ err: error, route: name }, 'request failed');
      status = sendError(res, error);
    } finally {
      metrics.requests.inc({ route: name, status });
      metrics.duration.observe({ route: name }, Number(process.hrtime.bigint() - started) / 1e9);
    }
  });
  // A slow client cannot hold a connection open forever while sending its headers.
  http.headersTimeout = 10_000;
  http.requestTimeout = 30_000;
  transport.transport.attach(http);

  const port = options.port ?? DEFAULT_PORT;
  const host = options.host ?? '127.0.0.1';
  try {
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(port, host, () => {
        http.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    tokens.close();
    await registry.close();
    await engine.close();
    await gateway.close();
    throw new McError('INVALID_ARGUMENT', `cannot listen on ${host}:${port}: ${String(error)}`);
  }
  const address = http.address() as AddressInfo;
  url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  logger.info({ url, engine: engine.name }, 'listening');
  delivery.start();

  const shutdownTimeoutMs = options.shutdownTimeoutMs ?? 10_000;
  return {
    url,
    engine,
    logger,
    spaces,
    registry,
    keys: tokens.keys,
    close() {
      closing ??= (async () => {
        logger.info('shutting down');
        await transport.transport.close();
        tokens.close();
        await registry.close();
        await hub.close();
        await bus.close();
        await delivery.close();
        await backendApi.close();
        const stopped = new Promise<void>((resolve) => http.close(() => resolve()));
        http.closeIdleConnections();
        const timer = setTimeout(() => http.closeAllConnections(), shutdownTimeoutMs);
        await stopped;
        clearTimeout(timer);
        await gateway.close();
        await engine.close();
        logger.info('stopped');
      })();
      return closing;
    },
  };
}

async function connectEngine(
  engine: Engine | EngineConfig | undefined,
  logger: Logger,
): Promise<Engine> {
  if (engine !== undefined && 'kv' in engine) return engine;
  const config: EngineConfig = engine ?? { engine: 'embedded', url: DEFAULT_DATA_FILE };
  if (config.engine === 'embedded' && config.url !== ':memory:') {
    mkdirSync(dirname(config.url), { recursive: true });
  }
  return createEngine({
    ...config,
    onError: config.onError ?? ((reason) => logger.warn({ engine: config.engine }, reason)),
  });
}
