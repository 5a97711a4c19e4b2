import type { NatsConnection } from '@nats-io/transport-node';

import { checkName, reasonOf } from '../names.ts';
import type { PubSub, PubSubHandler } from '../types.ts';
import { natsCall } from './nats-call.ts';
import { channelSubject } from './nats-names.ts';

/** Core NATS subjects (no JetStream): at most once, as pub/sub promises. */
export class NatsPubSub implements PubSub {
  readonly #nc: NatsConnection;
  readonly #namespace: string;
  readonly #onError: (reason: string) => void;

  constructor(nc: NatsConnection, namespace: string, onError: (reason: string) => void) {
    this.#nc = nc;
    this.#namespace = namespace;
    this.#onError = onError;
  }

  async publish(channel: string, payload: string): Promise<void> {
    checkName('channel', channel);
    await natsCall('publish', async () => {
      this.#nc.publish(channelSubject(this.#namespace, channel), payload);
    });
  }

  async subscribe(channel: string, handler: PubSubHandler): Promise<() => Promise<void>> {
    checkName('channel', channel);
    const sub = this.#nc.subscribe(channelSubject(this.#namespace, channel), {
      callback: (error, msg) => {
        if (error) return this.#onError(`nats subscription ${channel}: ${error.message}`);
        try {
          handler(msg.string());
        } catch (thrown) {
          this.#onError(`pub/sub handler on ${channel} threw: ${reasonOf(thrown)}`);
        }
      },
    });
    // Once the server answered the PING behind our SUB, it routes later publishes to us.
    await natsCall('subscribe', () => this.#nc.flush());
    return async () => {
      sub.unsubscribe();
    };
  }
}
