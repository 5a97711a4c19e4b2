import type { Redis } from 'ioredis';

import { checkName, reasonOf } from '../names.ts';
import type { PubSub, PubSubHandler } from '../types.ts';
import { redisCall } from './redis-call.ts';

/** PUBLISH/SUBSCRIBE, one Redis subscription per channel however many handlers it has. */
export class RedisPubSub implements PubSub {
  readonly #client: Redis;
  readonly #subscriber: Redis;
  readonly #prefix: string;
  readonly #handlers = new Map<string, Set<PubSubHandler>>();
  /** The SUBSCRIBE in flight or done per channel, so that a second subscriber waits for it. */
  readonly #ready = new Map<string, Promise<unknown>>();
  readonly #onError: (reason: string) => void;

  constructor(client: Redis, subscriber: Redis, namespace: string, onError: (r: string) => void) {
    this.#client = client;
    this.#subscriber = subscriber;
    this.#prefix = `${namespace}:ps:`;
    this.#onError = onError;
    subscriber.on('message', (channel: string, payload: string) => {
      for (const handler of this.#handlers.get(channel) ?? []) {
        try {
          handler(payload);
        } catch (error) {
          onError(`pub/sub handler on ${channel} threw: ${reasonOf(error)}`);
        }
      }
    });
  }

  async publish(channel: string, payload: string): Promise<void> {
    checkName('channel', channel);
    await redisCall('publish', () => this.#client.publish(this.#prefix + channel, payload));
  }

  async subscribe(channel: string, handler: PubSubHandler): Promise<() => Promise<void>> {
    checkName('channel', channel);
    const name = this.#prefix + channel;
    let handlers = this.#handlers.get(name);
    if (handlers === undefined) {
      handlers = new Set();
      this.#handlers.set(name, handlers);
      this.#ready.set(
        name,
        redisCall('subscribe', () => this.#subscriber.subscribe(name)),
      );
    }
    const entry: PubSubHandler = (payload) => handler(payload);
    handlers.add(entry);
    try {
      await this.#ready.get(name);
    } catch (error) {
      handlers.delete(entry);
      if (handlers.size === 0 && this.#handlers.get(name) === handlers) {
        this.#handlers.delete(name);
        this.#ready.delete(name);
      }
      throw error;
    }
    return async () => {
      handlers.delete(entry);
      if (handlers.size > 0 || this.#handlers.get(name) !== handlers) return;
      this.#handlers.delete(name);
      this.#ready.delete(name);
      await this.#subscriber.unsubscribe(name).catch((error: unknown) => {
        this.#onError(`redis unsubscribe ${name}: ${reasonOf(error)}`);
      });
    };
  }
}
