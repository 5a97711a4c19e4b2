import type { Logger } from 'pino';
import type { Registry as PromRegistry } from 'prom-client';

import type { Engine } from '../engine/index.ts';
import type { Route } from '../http/route.ts';
import { AdminAccess } from './access.ts';
import { AppCredentials } from './app-credentials.ts';
import { appRoutes } from './app-routes.ts';
import { backendRoutes } from './backend-routes.ts';
import { HealthProber } from './health-prober.ts';
import { Registry } from './registry.ts';
import { RegistryEvents } from './registry-events.ts';
import { RegistryMetrics } from './registry-metrics.ts';
import type { AppAuthenticator } from './types.ts';

/** Options of the registry, part of the server's options. */
export interface RegistryOptions {
  /**
   * The admin credential of the registry's write routes (`Authorization: Bearer …`), at
   * least 32 characters; the CLI reads it from MC_ADMIN_TOKEN only (flags show in the
   * process list). Unset: the write routes answer 403.
   */
  readonly adminToken?: string;
  /** How long a backend's heartbeat counts. Default 30 s. */
  readonly heartbeatTtlMs?: number;
  /** Time between two rounds of health probes. Default 10 s. */
  readonly probeIntervalMs?: number;
  /** A probe without an answer within this long fails. Default: the interval, at most 5 s. */
  readonly probeTimeoutMs?: number;
  /** The longest a process serves its cached catalog without a change notice. Default 3 s. */
  readonly registryCacheMs?: number;
  /** Open `GET /registry/events` streams per process. Default 1,000. */
  readonly maxRegistryStreams?: number;
}

/** The registry as the server runs it. */
export interface RegistryService {
  readonly registry: Registry;
  /** Resolves a backend's `Bearer mcapp_…` to its app id (queues, webhooks, publishing). */
  readonly authenticate: AppAuthenticator;
  readonly routes: Route[];
  close(): Promise<void>;
}

export const DEFAULT_HEARTBEAT_TTL_MS = 30_000;
export const DEFAULT_PROBE_INTERVAL_MS = 10_000;

/** Builds the registry on `engine`, subscribes to change notices and starts probing. */
export async function startRegistry(
  engine: Engine,
  options: RegistryOptions & { readonly hostOrigins?: readonly string[] },
  logger: Logger,
  prom: PromRegistry,
): Promise<RegistryService> {
  const admin = new AdminAccess(options.adminToken);
  const heartbeatTtlMs = options.heartbeatTtlMs ?? DEFAULT_HEARTBEAT_TTL_MS;
  const intervalMs = options.probeIntervalMs ?? DEFAULT_PROBE_INTERVAL_MS;
  const log = logger.child({ component: 'registry' });
  const registry = new Registry(
    engine,
    { heartbeatTtlMs, cacheMs: options.registryCacheMs ?? 3_000 },
    log,
  );
  const metrics = new RegistryMetrics(prom, registry);
  const credentials = new AppCredentials(
    engine.records,
    async (app) => (await registry.get(app)) !== undefined,
  );
  const prober = new HealthProber(
    registry,
    { intervalMs, timeoutMs: options.probeTimeoutMs ?? Math.min(intervalMs, 5_000) },
    log,
    metrics,
  );
  const events = new RegistryEvents(options.maxRegistryStreams ?? 1_000, metrics);
  prober.onHealthChange((id, etag, health) => events.send({ id, etag, health }));
  registry.onChange((change) => {
    credentials.forget(change.id);
    if (change.kind === 'credentials') return;
    prober.check(change.id, true).catch((error: unknown) => {
      log.warn({ err: error, app: change.id }, 'registry change not reported');
    });
  });
  await registry.start();
  prober.start();
  if (options.adminToken === undefined) log.info('no admin token: registry writes are off');
  const ctx = {
    registry,
    credentials,
    prober,
    events,
    admin,
    origins: new Set(options.hostOrigins ?? []),
    heartbeatTtlMs,
  };
  return {
    registry,
    authenticate: credentials.authenticate,
    routes: [...appRoutes(ctx), ...backendRoutes(ctx)],
    async close() {
      events.close();
      await prober.close();
      await registry.close();
    },
  };
}
