import type { Redis } from 'ioredis';

import { checkName } from '../names.ts';
import { checkList, checkVersion } from '../records.ts';
import type { CasResult, KvEntry, RecordStore } from '../types.ts';
import { redisCall, runScript } from './redis-call.ts';
import { REC_CAS, REC_DELETE, REC_SET } from './scripts.ts';

/**
 * Records as one hash per key (`ver`, `val`) without expiry, plus a sorted set per
 * namespace indexing their keys, so that listing reads the index (ZRANGEBYLEX) rather than
 * SCANning the whole keyspace. Every key shares the hash tag `{<namespace>:rec}`: the
 * scripts touch the record, the index and the counter together, which Redis Cluster allows
 * only within one slot.
 */
export class RedisRecords implements RecordStore {
  readonly #redis: Redis;
  readonly #tag: string;
  readonly #index: string;
  readonly #counter: string;

  constructor(redis: Redis, namespace: string) {
    this.#redis = redis;
    this.#tag = `{${namespace}:rec}`;
    this.#index = `${this.#tag}:idx`;
    this.#counter = `${this.#tag}:seq`;
  }

  #key(key: string): string {
    return `${this.#tag}:k:${key}`;
  }

  async get(key: string): Promise<KvEntry | undefined> {
    checkName('key', key);
    const [version, value] = await redisCall('record get', () =>
      this.#redis.hmget(this.#key(key), 'ver', 'val'),
    );
    if (version === null || value === null) return undefined;
    return { value, version: Number(version) };
  }

  async set(key: string, value: string): Promise<number> {
    checkName('key', key);
    const keys = [this.#key(key), this.#index, this.#counter];
    const version = await redisCall('record set', () =>
      runScript(this.#redis, REC_SET, keys, [key, value]),
    );
    return Number(version);
  }

  async compareAndSet(key: string, value: string, expectedVersion: number): Promise<CasResult> {
    checkName('key', key);
    checkVersion(expectedVersion);
    const keys = [this.#key(key), this.#index, this.#counter];
    const reply = (await redisCall('record compareAndSet', () =>
      runScript(this.#redis, REC_CAS, keys, [key, value, expectedVersion]),
    )) as [number, number?, string?];
    if (reply[0] === 1) return { ok: true, version: Number(reply[1]) };
    const current =
      reply[1] === undefined ? undefined : { version: Number(reply[1]), value: String(reply[2]) };
    return { ok: false, current };
  }

  async delete(key: string, expectedVersion?: number): Promise<boolean> {
    checkName('key', key);
    if (expectedVersion !== undefined) checkVersion(expectedVersion);
    const reply = await redisCall('record delete', () =>
      runScript(
        this.#redis,
        REC_DELETE,
        [this.#key(key), this.#index],
        [key, expectedVersion ?? ''],
      ),
    );
    return Number(reply) === 1;
  }

  async list(prefix: string, limit?: number): Promise<string[]> {
    const n = checkList(prefix, limit);
    // Keys are [A-Za-z0-9_.-]; every key under `p.` sorts in [`p.`, `p/`) ('/' follows '.').
    return redisCall('record list', () =>
      this.#redis.zrangebylex(this.#index, `[${prefix}.`, `(${prefix}/`, 'LIMIT', 0, n),
    );
  }
}
