import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  type JetStreamClient,
  type JetStreamManager,
  type StreamInfo,
  RetentionPolicy,
  StorageType,
} from '@nats-io/jetstream';
import { createInbox, type Msg, nanos, type NatsConnection } from '@nats-io/transport-node';

import {
  badToken,
  checkConsume,
  checkDelay,
  checkName,
  checkRead,
  type ResolvedOptions,
} from '../names.ts';
import type {
  AppendResult,
  ConsumeOptions,
  Delivery,
  DeliveryHandle,
  GroupInfo,
  LogEntry,
  LogRead,
  LogStore,
} from '../types.ts';
import { natsCall } from './nats-call.ts';
import { consumerName, streamName, streamSubject } from './nats-names.ts';
import { pullNoWait } from './pull.ts';

const decoder = new TextDecoder();

/**
 * One JetStream stream per log stream, so that the stream's own sequence numbers are the
 * offsets (consecutive, as retention only drops from the head and duplicates take none),
 * and retention, dedup (`Nats-Msg-Id` within the duplicate window) and durable consumers
 * are JetStream's own. The epoch is the stream's creation time: a stream lost with the
 * server's storage and created again gets a new one.
 */
export class NatsLog implements LogStore {
  readonly #nc: NatsConnection;
  readonly #js: JetStreamClient;
  readonly #jsm: JetStreamManager;
  readonly #options: ResolvedOptions;
  /** Epoch per stream this process has made sure of. */
  readonly #epochs = new Map<string, string>();
  /** Consumers made sure of, with their ack wait. */
  readonly #consumers = new Map<string, number>();

  constructor(nc: NatsConnection, js: JetStreamClient, jsm: JetStreamManager, o: ResolvedOptions) {
    this.#nc = nc;
    this.#js = js;
    this.#jsm = jsm;
    this.#options = o;
  }

  /** Creates the stream (or brings its limits up to date) and remembers its epoch. */
  async #ensure(stream: string): Promise<string> {
    const name = streamName(this.#options.namespace, stream);
    const { maxAgeMs, maxLen } = this.#options.retention;
    const config = {
      name,
      subjects: [streamSubject(this.#options.namespace, stream)],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      discard: DiscardPolicy.Old,
      max_age: nanos(maxAgeMs),
      max_msgs: maxLen,
      duplicate_window: nanos(Math.min(this.#options.dedupWindowMs, maxAgeMs)),
      num_replicas: 1,
    };
    const info = await natsCall('stream add', async () => {
      try {
        return await this.#jsm.streams.add(config);
      } catch (error) {
        // Same name, other limits (the retention flags changed): update in place.
        if (!/already in use|10058/i.test(String(error))) throw error;
        return this.#jsm.streams.update(name, config);
      }
    });
    const epoch = epochOf(info);
    this.#epochs.set(stream, epoch);
    return epoch;
  }

  async append(stream: string, payload: string, id?: string): Promise<AppendResult> {
    checkName('stream', stream);
    const subject = streamSubject(this.#options.namespace, stream);
    const options = id === undefined ? {} : { msgID: id };
    let epoch = this.#epochs.get(stream) ?? (await this.#ensure(stream));
    let ack;
    try {
      ack = await this.#js.publish(subject, payload, options);
    } catch (error) {
      // No stream answers the subject: it was never made here, or the server lost it.
      if (!/no responders|503/i.test(String(error))) {
        return natsCall('publish', () => Promise.reject(error));
      }
      epoch = await this.#ensure(stream);
      ack = await natsCall('publish', () => this.#js.publish(subject, payload, options));
    }
    return { offset: ack.seq, epoch, duplicate: ack.duplicate };
  }

  async read(stream: string, after: number, limit: number): Promise<LogRead> {
    checkName('stream', stream);
    checkRead(after, limit);
    const name = streamName(this.#options.namespace, stream);
    const info = await natsCall('stream info', async () => {
      try {
        return await this.#jsm.streams.info(name);
      } catch (error) {
        if (/not found|10059/i.test(String(error))) return null;
        throw error;
      }
    });
    if (info === null) return { epoch: '', last: 0, first: 1, entries: [] };
    const epoch = epochOf(info);
    this.#epochs.set(stream, epoch);
    const last = info.state.last_seq;
    const first = info.state.messages === 0 ? last + 1 : info.state.first_seq;
    const start = Math.max(after + 1, first);
    const count = Math.min(limit, last - start + 1);
    const entries = count > 0 ? await this.#fetch(name, start, count) : [];
    // Entries can expire between the stream info and the fetch (retention drops from the
    // head): what the fetch no longer found is not retained, and `first` must say so, or a
    // reader would take an empty answer from `first` on for the end of the stream.
    let oldest = first;
    if (count > 0 && entries.length === 0) oldest = last + 1;
    else if (count > 0 && entries[0]!.offset > start) oldest = entries[0]!.offset;
    return { epoch, last, first: oldest, entries };
  }

  /** `count` entries from `start`, through an ordered (ephemeral) consumer. */
  async #fetch(name: string, start: number, count: number): Promise<LogEntry[]> {
    return natsCall('read', async () => {
      const consumer = await this.#js.consumers.get(name, {
        deliver_policy: DeliverPolicy.StartSequence,
        opt_start_seq: start,
      });
      const entries: LogEntry[] = [];
      // Entries that expire between the stream info and the fetch make it end on `expires`.
      const messages = await consumer.fetch({ max_messages: count, expires: 2_000 });
      for await (const m of messages) {
        entries.push({
          offset: m.seq,
          payload: m.string(),
          id: m.headers?.get('Nats-Msg-Id') || undefined,
          time: Number(BigInt(m.info.timestampNanos) / 1_000_000n),
        });
        if (entries.length === count) break;
      }
      await consumer.delete().catch(() => {});
      return entries;
    });
  }

  async #ensureConsumer(stream: string, group: string, ackWaitMs: number): Promise<string> {
    const name = streamName(this.#options.namespace, stream);
    const durable = consumerName(group);
    const key = `${name}/${durable}`;
    if (this.#consumers.get(key) === ackWaitMs) return durable;
    if (!this.#epochs.has(stream)) await this.#ensure(stream);
    const config = {
      durable_name: durable,
      ack_policy: AckPolicy.Explicit,
      ack_wait: nanos(ackWaitMs),
      deliver_policy: DeliverPolicy.All,
      max_deliver: -1,
    };
    await natsCall('consumer add', async () => {
      try {
        await this.#jsm.consumers.add(name, config);
      } catch (error) {
        if (!/already in use|exists|10148|10013/i.test(String(error))) throw error;
        await this.#jsm.consumers.update(name, durable, { ack_wait: config.ack_wait });
      }
    });
    this.#consumers.set(key, ackWaitMs);
    return durable;
  }

  async consume(stream: string, group: string, options: ConsumeOptions): Promise<Delivery[]> {
    checkName('stream', stream);
    checkName('group', group);
    checkConsume(options);
    const name = streamName(this.#options.namespace, stream);
    const pull = async () => {
      const durable = await this.#ensureConsumer(stream, group, options.ackWaitMs);
      return pullNoWait(this.#nc, name, durable, options.max, createInbox());
    };
    const messages = await natsCall('pull', async () => {
      try {
        return await pull();
      } catch (error) {
        if (!/no responders|pull timed out/i.test(String(error))) throw error;
        // Nobody answered the pull: the server lost the consumer (or the whole stream, with
        // its storage; JetStream then ignores the request). Make both again (idempotent when
        // they exist), as append does for the stream, and pull once more.
        this.#consumers.delete(`${name}/${consumerName(group)}`);
        this.#epochs.delete(stream);
        return pull();
      }
    });
    return messages.map((m) => toDelivery(m));
  }

  async ack(stream: string, group: string, delivery: DeliveryHandle): Promise<void> {
    checkName('stream', stream);
    checkName('group', group);
    const subject = this.#ackSubject(stream, group, delivery);
    // The token is the delivery's ack subject; any connection may ack it. flush() waits
    // until the server has it, so an ack that resolved is not redelivered.
    await natsCall('ack', async () => {
      this.#nc.publish(subject, '+ACK');
      await this.#nc.flush();
    });
  }

  async nack(
    stream: string,
    group: string,
    delivery: DeliveryHandle,
    delayMs: number,
  ): Promise<void> {
    checkName('stream', stream);
    checkName('group', group);
    checkDelay(delayMs);
    const subject = this.#ackSubject(stream, group, delivery);
    // JetStream's own negative ack: redelivered after the delay (at once without one).
    const body = delayMs === 0 ? '-NAK' : `-NAK ${JSON.stringify({ delay: nanos(delayMs) })}`;
    await natsCall('nack', async () => {
      this.#nc.publish(subject, body);
      await this.#nc.flush();
    });
  }

  async groupInfo(stream: string, group: string): Promise<GroupInfo> {
    checkName('stream', stream);
    checkName('group', group);
    const name = streamName(this.#options.namespace, stream);
    return natsCall('group info', async () => {
      try {
        const info = await this.#jsm.consumers.info(name, consumerName(group));
        return { backlog: info.num_pending, pending: info.num_ack_pending };
      } catch (error) {
        if (!/not found|10014|10059/i.test(String(error))) throw error;
      }
      try {
        const info = await this.#jsm.streams.info(name);
        return { backlog: info.state.messages, pending: 0 };
      } catch (error) {
        if (/not found|10059/i.test(String(error))) return { backlog: 0, pending: 0 };
        throw error;
      }
    });
  }

  /**
   * The token, checked to be an ack subject of this stream's consumer for `group`: it is
   * published to as it is, so anything else (another stream's delivery, any subject at
   * all) must never get that far.
   */
  #ackSubject(stream: string, group: string, delivery: DeliveryHandle): string {
    const token = delivery.token;
    const prefix = `$JS.ACK.${streamName(this.#options.namespace, stream)}.${consumerName(group)}.`;
    if (typeof token !== 'string' || !token.startsWith(prefix)) badToken();
    if (!/^\d{1,20}(?:\.\d{1,20}){4}$/.test(token.slice(prefix.length))) badToken();
    return token;
  }
}

/** `$JS.ACK.<stream>.<consumer>.<delivered>.<stream seq>.<consumer seq>.<ns>.<pending>`. */
function toDelivery(m: Msg): Delivery {
  const parts = m.reply!.split('.');
  const tail = parts.length - 5;
  return {
    offset: Number(parts[tail + 1]),
    deliveries: Number(parts[tail]),
    time: Number(BigInt(parts[tail + 3]!) / 1_000_000n),
    payload: decoder.decode(m.data),
    id: m.headers?.get('Nats-Msg-Id') || undefined,
    token: m.reply!,
  };
}

const epochOf = (info: StreamInfo): string => info.created;
