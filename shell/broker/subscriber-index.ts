import { matchTopic } from '../../sdk/protocol/index.ts';
import type { Connection } from './connection.ts';

/** Topics whose routes are kept at most; past this the index starts over (a topic flood). */
export const MAX_ROUTES = 1024;

/**
 * Per topic, the connections with at least one subscription matching it, in attach order:
 * a burst on one topic costs one map lookup per event instead of matching every
 * subscription of every connection. The broker calls {@link invalidate} whenever the
 * answer can change (a subscription or cancellation, an attach, a detach); routes are then
 * rebuilt lazily, one topic at a time, from the connections themselves.
 */
export class SubscriberIndex {
  readonly #routes = new Map<string, readonly Connection[]>();
  readonly #connections: ReadonlyMap<string, Connection>;

  constructor(connections: ReadonlyMap<string, Connection>) {
    this.#connections = connections;
  }

  /** Forgets every route. */
  invalidate(): void {
    this.#routes.clear();
  }

  /** The connections an event on `topic` goes to, each once however many patterns match. */
  lookup(topic: string): readonly Connection[] {
    const known = this.#routes.get(topic);
    if (known) return known;
    const route: Connection[] = [];
    for (const to of this.#connections.values()) {
      for (const pattern of to.subscriptions.values()) {
        if (matchTopic(pattern, topic)) {
          route.push(to);
          break;
        }
      }
    }
    // Topics come from widgets: a publisher cycling through many of them must not grow this.
    if (this.#routes.size >= MAX_ROUTES) this.#routes.clear();
    this.#routes.set(topic, route);
    return route;
  }
}
