import type { Redis } from 'ioredis';

import {
  badToken,
  checkConsume,
  checkDelay,
  checkName,
  checkRead,
  newEpoch,
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
import { redisCall, runScript } from './redis-call.ts';
import { LOG_ACK, LOG_APPEND, LOG_CONSUME, LOG_GROUP_INFO, LOG_NACK, LOG_READ } from './scripts.ts';

/** A stream entry as Redis returns it: id `0-<offset>`, fields p, i, t in that order. */
type RawEntry = [string, string[]];

function toEntry([id, fields]: RawEntry): LogEntry {
  const field = (name: string) => fields[fields.indexOf(name) + 1] ?? '';
  const messageId = field('i');
  return {
    offset: Number(id.slice(2)),
    payload: field('p'),
    id: messageId === '' ? undefined : messageId,
    time: Number(field('t')),
  };
}

/**
 * Streams as Redis streams, one per stream name, beside a meta hash (epoch, last offset) and
 * one dedup key per recent id. The three share a hash tag, so they live in one slot of a
 * Redis Cluster and one script may touch them all.
 */
export class RedisLog implements LogStore {
  readonly #redis: Redis;
  readonly #options: ResolvedOptions;
  /** Names this process's consumer in every group; a dead one's entries are claimed. */
  readonly #consumer = `c-${newEpoch()}`;

  constructor(redis: Redis, options: ResolvedOptions) {
    this.#redis = redis;
    this.#options = options;
  }

  #keys(stream: string): [string, string] {
    const tag = `{${this.#options.namespace}:log:${stream}}`;
    return [`${tag}:x`, `${tag}:meta`];
  }

  /** A group's redelivery schedule, in the stream's slot. */
  #schedule(stream: string, group: string): string {
    return `{${this.#options.namespace}:log:${stream}}:due:${group}`;
  }

  async append(stream: string, payload: string, id?: string): Promise<AppendResult> {
    checkName('stream', stream);
    const [entries, meta] = this.#keys(stream);
    const dedup = `${meta}:id:${id ?? ''}`;
    const { retention, dedupWindowMs } = this.#options;
    const reply = (await redisCall('append', () =>
      runScript(
        this.#redis,
        LOG_APPEND,
        [entries, meta, dedup],
        [payload, id ?? '', newEpoch(), retention.maxLen, retention.maxAgeMs, dedupWindowMs],
      ),
    )) as [number, string, number];
    return { offset: Number(reply[0]), epoch: reply[1], duplicate: reply[2] === 1 };
  }

  async read(stream: string, after: number, limit: number): Promise<LogRead> {
    checkName('stream', stream);
    checkRead(after, limit);
    const [entries, meta] = this.#keys(stream);
    const maxAge = this.#options.retention.maxAgeMs;
    const reply = (await redisCall('read', () =>
      runScript(this.#redis, LOG_READ, [entries, meta], [after, limit, maxAge]),
    )) as [string, number, number, RawEntry[]];
    return {
      epoch: reply[0],
      last: Number(reply[1]),
      first: Number(reply[2]),
      entries: reply[3].map(toEntry),
    };
  }

  async consume(stream: string, group: string, options: ConsumeOptions): Promise<Delivery[]> {
    checkName('stream', stream);
    checkName('group', group);
    checkConsume(options);
    const [entries] = this.#keys(stream);
    // The schedule outlives the stream's entries (which go maxAge after the last append)
    // by the ack wait, then goes with them.
    const keepMs = this.#options.retention.maxAgeMs + options.ackWaitMs;
    const reply = (await redisCall('consume', () =>
      runScript(
        this.#redis,
        LOG_CONSUME,
        [entries, this.#schedule(stream, group)],
        [group, this.#consumer, options.max, options.ackWaitMs, keepMs],
      ),
    )) as Array<[string, string[], number]>;
    return reply.map(([id, fields, deliveries]) => ({
      ...toEntry([id, fields]),
      deliveries: Number(deliveries),
      token: id,
    }));
  }

  async ack(stream: string, group: string, delivery: DeliveryHandle): Promise<void> {
    checkName('stream', stream);
    checkName('group', group);
    const id = entryId(delivery);
    const [entries] = this.#keys(stream);
    await redisCall('ack', () =>
      runScript(this.#redis, LOG_ACK, [entries, this.#schedule(stream, group)], [group, id]),
    );
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
    const id = entryId(delivery);
    await redisCall('nack', () =>
      runScript(this.#redis, LOG_NACK, [this.#schedule(stream, group)], [id, delayMs]),
    );
  }

  async groupInfo(stream: string, group: string): Promise<GroupInfo> {
    checkName('stream', stream);
    checkName('group', group);
    const keys = this.#keys(stream);
    const [backlog, pending] = (await redisCall('group info', () =>
      runScript(this.#redis, LOG_GROUP_INFO, keys, [group]),
    )) as [number, number];
    return { backlog: Number(backlog), pending: Number(pending) };
  }
}

/** The token is the stream entry's id, `0-<offset>`. */
function entryId(delivery: DeliveryHandle): string {
  const token = delivery.token;
  if (typeof token !== 'string' || !/^0-[1-9]\d{0,15}$/.test(token)) badToken();
  return token;
}
