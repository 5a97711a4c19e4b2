import type { Logger } from 'pino';
import type { Registry as PromRegistry } from 'prom-client';

import { backendPublishRoute } from '../backends/backend-publish.ts';
import type { EventBus } from '../bus/event-bus.ts';
import type { Engine } from '../engine/index.ts';
import type { Route } from '../http/route.ts';
import { AdminAccess } from '../registry/access.ts';
import type { RegistryService } from '../registry/index.ts';
import { QueueMetrics } from './queue-metrics.ts';
import { queueRoutes } from './queue-routes.ts';
import { Queues, type QueueOptions } from './queues.ts';

export { DeadLetters } from './dead-letters.ts';
export { QUEUE_GROUP, Queues, type QueueOptions } from './queues.ts';

/** What {@link startBackendApi} needs of the server. */
export interface BackendRouteDeps {
  readonly engine: Engine;
  readonly bus: EventBus;
  readonly registry: RegistryService;
  readonly adminToken: string | undefined;
  readonly options: QueueOptions | undefined;
  readonly logger: Logger;
  readonly prom: PromRegistry;
}

/** The routes backends use besides the registry's: their queues, and publishing events. */
export interface BackendApi {
  readonly routes: Route[];
  /** Ends the pulls waiting for events (they answer empty): the server is shutting down. */
  close(): Promise<void>;
}

/** Builds the queues and the publish route on the server's engine, bus and registry. */
export function startBackendApi(deps: BackendRouteDeps): BackendApi {
  const metrics = new QueueMetrics(deps.prom);
  const log = deps.logger.child({ component: 'queues' });
  const queues = new Queues(deps.engine, deps.registry.registry, log, deps.options, metrics);
  const authenticate = deps.registry.authenticate;
  return {
    routes: [
      ...queueRoutes({ queues, authenticate, admin: new AdminAccess(deps.adminToken) }),
      backendPublishRoute({
        bus: deps.bus,
        registry: deps.registry.registry,
        authenticate,
        metrics,
      }),
    ],
    close: () => queues.close(),
  };
}
