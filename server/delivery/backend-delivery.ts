import type { Logger } from 'pino';
import type { Registry } from 'prom-client';

import type { Engine } from '../engine/types.ts';
import type { Route } from '../http/route.ts';
import type { Registry as AppRegistry } from '../registry/registry.ts';
import { webhookAdminRoutes, type AdminCheck } from '../webhooks/admin-routes.ts';
import { WebhookDispatcher, type WebhookOptions } from '../webhooks/dispatcher.ts';
import { DeliveryRouter } from './router.ts';
import { queueChannel } from './types.ts';

/** The server's half of app backends' event delivery: the router, the dispatcher, their routes. */
export interface BackendDelivery {
  readonly router: DeliveryRouter;
  readonly dispatcher: WebhookDispatcher;
  readonly routes: Route[];
  start(): void;
  close(): Promise<void>;
}

/** Wires the router (bus → streams) to the webhook dispatcher (streams → backends). */
export function createBackendDelivery(
  engine: Engine,
  registry: AppRegistry,
  logger: Logger,
  metrics: Registry,
  admin: AdminCheck,
  options: WebhookOptions = {},
): BackendDelivery {
  const dispatcher = new WebhookDispatcher(engine, registry, logger, options, metrics);
  const router = new DeliveryRouter({
    log: engine.log,
    registry,
    logger,
    metrics,
    onWebhook: (app, name) => dispatcher.nudge(app, name),
    // Best effort: a lost announcement only leaves waiting pulls to their next poll.
    onQueue: (app, name) => void engine.pubsub.publish(queueChannel(app, name), '').catch(() => {}),
  });
  // A changed entry takes effect for the next event, not up to a refresh later.
  const unsubscribe = registry.onChange(() => router.invalidate());
  return {
    router,
    dispatcher,
    routes: webhookAdminRoutes(dispatcher, engine.log, admin),
    start: () => dispatcher.start(),
    async close() {
      unsubscribe();
      await dispatcher.close();
    },
  };
}
