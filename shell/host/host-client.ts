import { Client, type McEvent, type StateVersion, type Subscription } from '../../sdk/client.ts';
import type { AppContext, Topic, TopicPattern } from '../../sdk/protocol/index.ts';

interface Tracked {
  start(client: Client): Subscription;
  current: Subscription | undefined;
}

/**
 * The host page's own broker client, kept across broker restarts: subscriptions and watches
 * are remembered and replayed on the new client when the broker Worker is replaced.
 */
export class HostClient {
  #client: Client;
  readonly #tracked = new Set<Tracked>();

  constructor(
    readonly context: AppContext,
    port: MessagePort,
    attached: Promise<unknown>,
  ) {
    this.#client = new Client({ port, context, attached });
  }

  /** Requests waiting for the broker. */
  get pendingCalls(): number {
    return this.#client.pendingCalls;
  }

  /** Moves to a new port after a broker restart and replays every live subscription. */
  replace(port: MessagePort, attached: Promise<unknown>): void {
    this.#client.close();
    this.#client = new Client({ port, context: this.context, attached });
    for (const entry of this.#tracked) entry.current = entry.start(this.#client);
  }

  publish(topic: Topic, data?: unknown): void {
    this.#client.publish(topic, data);
  }

  subscribe<T>(pattern: TopicPattern, handler: (event: McEvent<T>) => void): Subscription {
    return this.#track((client) => client.subscribe(pattern, handler));
  }

  get(app: string): Promise<StateVersion> {
    return this.#client.state.get(app);
  }

  watch<T>(app: string, handler: (state: StateVersion<T>) => void): Subscription {
    return this.#track((client) => client.state.watch(app, handler));
  }

  close(): void {
    this.#tracked.clear();
    this.#client.close();
  }

  #track(start: (client: Client) => Subscription): Subscription {
    const entry: Tracked = { start, current: undefined };
    entry.current = start(this.#client);
    this.#tracked.add(entry);
    const stop = () => {
      this.#tracked.delete(entry);
      entry.current?.();
    };
    return Object.assign(stop, { ready: entry.current.ready });
  }
}
