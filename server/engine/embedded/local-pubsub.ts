import { checkName, reasonOf } from '../names.ts';
import type { PubSub, PubSubHandler } from '../types.ts';

type Channels = Map<string, Set<PubSubHandler>>;

/** Channels per database file and namespace: engines opened on one file in one process meet. */
const HUBS = new Map<string, Channels>();

/**
 * Fan-out inside one process: the embedded engine is one process by definition. Engines
 * opened on the same file (and namespace) share channels, as processes sharing a Redis do.
 * Handlers run on a later microtask, as they would for a message from the network, so a
 * publisher never re-enters its own subscriber synchronously.
 */
export class LocalPubSub implements PubSub {
  readonly #channels: Channels;
  readonly #onError: (reason: string) => void;

  /** `hub` names the file and namespace; `:memory:` databases pass a hub of their own. */
  constructor(hub: string, onError: (reason: string) => void) {
    let channels = HUBS.get(hub);
    if (channels === undefined) HUBS.set(hub, (channels = new Map()));
    this.#channels = channels;
    this.#onError = onError;
  }

  async publish(channel: string, payload: string): Promise<void> {
    checkName('channel', channel);
    const handlers = this.#channels.get(channel);
    if (handlers === undefined) return;
    for (const handler of [...handlers]) {
      queueMicrotask(() => {
        try {
          handler(payload);
        } catch (error) {
          this.#onError(`pub/sub handler on ${channel} threw: ${reasonOf(error)}`);
        }
      });
    }
  }

  async subscribe(channel: string, handler: PubSubHandler): Promise<() => Promise<void>> {
    checkName('channel', channel);
    let handlers = this.#channels.get(channel);
    if (handlers === undefined) this.#channels.set(channel, (handlers = new Set()));
    // A wrapper, so that one handler subscribed twice is also unsubscribed one at a time.
    const entry: PubSubHandler = (payload) => handler(payload);
    handlers.add(entry);
    return async () => {
      handlers.delete(entry);
      if (handlers.size === 0 && this.#channels.get(channel) === handlers) {
        this.#channels.delete(channel);
      }
    };
  }
}
