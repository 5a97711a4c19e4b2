import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';

import { McError } from '../../sdk/protocol/errors.ts';
import { matchTopic } from '../../sdk/protocol/topics.ts';
import type { LogStore } from '../engine/types.ts';
import type { RegistryReader } from '../registry/types.ts';
import { encodeBackendEvent } from './event-codec.ts';
import { queueStream, webhookStream, type BackendEvent } from './types.ts';

/** How long the subscription index built from the registry is used before it is rebuilt. */
export const ROUTES_REFRESH_MS = 1_000;

/** One subscription of the registry: a stream and the topics it takes. */
interface Subscription {
  readonly kind: 'webhook' | 'queue';
  readonly app: string;
  readonly name: string;
  readonly stream: string;
  /** The subscription's topics; each already lies inside the manifest's `subscribes`. */
  readonly topics: readonly string[];
  /** The manifest's `subscribes`, checked again per event (an entry is data, not law). */
  readonly granted: readonly string[];
}

/** What the event bus hands each stored topic event to. */
export interface EventRouter {
  /** Resolves once the event is in the stream of every subscription it matches. */
  route(event: BackendEvent): Promise<void>;
}

/** Options of {@link DeliveryRouter}. */
export interface DeliveryRouterOptions {
  readonly log: LogStore;
  readonly registry: RegistryReader;
  readonly logger: Logger;
  readonly metrics?: Registry;
  /** How long the subscription index is reused. Default {@link ROUTES_REFRESH_MS}. */
  readonly refreshMs?: number;
  /** Called after an event was appended to a webhook stream (wakes a local dispatcher). */
  readonly onWebhook?: (app: string, name: string) => void;
  /** Called after an event was appended to a queue stream (wakes waiting pulls). */
  readonly onQueue?: (app: string, name: string) => void;
}

/**
 * Takes canvas events to app backends: appends each to the `wh.<app>.<name>` stream of every
 * webhook and the `q.<app>.<name>` stream of every queue whose topics match and whose app's
 * manifest subscribes to it, with the event id as the dedup id, so that routing the same
 * event again (a client's resend after a lost ack) stores nothing twice. The registry's
 * subscriptions are indexed and the index reused for `refreshMs`: a subscription added or
 * removed takes effect for events published up to that long after.
 */
export class DeliveryRouter implements EventRouter {
  readonly #options: DeliveryRouterOptions;
  readonly #routed: Counter<'kind'> | undefined;
  #index: { readonly at: number; readonly subs: readonly Subscription[] } | undefined;
  #building: Promise<readonly Subscription[]> | undefined;

  constructor(options: DeliveryRouterOptions) {
    this.#options = options;
    if (options.metrics !== undefined) {
      this.#routed = new Counter({
        name: 'microcanvas_delivery_routed_total',
        help: 'Canvas events appended to backend streams (resends deduplicated by the engine included), by kind: webhook or queue.',
        labelNames: ['kind'],
        registers: [options.metrics],
      });
    }
  }

  async route(event: BackendEvent): Promise<void> {
    const subs = await this.#subscriptions();
    const targets = subs.filter(
      (sub) =>
        sub.topics.some((pattern) => matchTopic(pattern, event.topic)) &&
        sub.granted.some((pattern) => matchTopic(pattern, event.topic)),
    );
    if (targets.length === 0) return;
    const payload = encodeBackendEvent(event);
    try {
      await Promise.all(
        targets.map(async (sub) => {
          await this.#options.log.append(sub.stream, payload, event.id);
          this.#routed?.inc({ kind: sub.kind });
          if (sub.kind === 'webhook') this.#options.onWebhook?.(sub.app, sub.name);
          else this.#options.onQueue?.(sub.app, sub.name);
        }),
      );
    } catch (error) {
      this.#options.logger.warn({ err: error, topic: event.topic }, 'routing to backends failed');
      throw new McError('STORAGE_UNAVAILABLE', 'the event could not be routed to its backends');
    }
  }

  /** Forgets the index: the next event rebuilds it from the registry. */
  invalidate(): void {
    this.#index = undefined;
  }

  async #subscriptions(): Promise<readonly Subscription[]> {
    const refreshMs = this.#options.refreshMs ?? ROUTES_REFRESH_MS;
    if (this.#index !== undefined && Date.now() - this.#index.at < refreshMs) {
      return this.#index.subs;
    }
    // One rebuild at a time: a burst of events waits for the same registry read.
    this.#building ??= this.#build().finally(() => (this.#building = undefined));
    return this.#building;
  }

  async #build(): Promise<readonly Subscription[]> {
    const at = Date.now();
    let apps;
    try {
      apps = await this.#options.registry.list();
    } catch (error) {
      this.#options.logger.warn({ err: error }, 'registry read failed');
      throw new McError('STORAGE_UNAVAILABLE', 'the registry could not be read');
    }
    const subs: Subscription[] = [];
    for (const { entry } of apps) {
      const app = entry.manifest.id;
      const granted = entry.manifest.subscribes;
      for (const hook of entry.backend?.webhooks ?? []) {
        subs.push({
          kind: 'webhook',
          app,
          name: hook.name,
          stream: webhookStream(app, hook.name),
          topics: hook.topics,
          granted,
        });
      }
      for (const queue of entry.backend?.queues ?? []) {
        subs.push({
          kind: 'queue',
          app,
          name: queue.name,
          stream: queueStream(app, queue.name),
          topics: queue.topics,
          granted,
        });
      }
    }
    this.#index = { at, subs };
    return subs;
  }
}
