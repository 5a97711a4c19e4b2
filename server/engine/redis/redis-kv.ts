import type { Redis } from 'ioredis';

import { checkMs, checkName } from '../names.ts';
import type { CasResult, KvEntry, KvStore } from '../types.ts';
import { redisCall, runScript } from './redis-call.ts';
import { KV_CAS, KV_SET } from './scripts.ts';

/** KV as one hash per key (`ver`, `val`) with PEXPIRE; writes are Lua scripts. */
export class RedisKv implements KvStore {
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(redis: Redis, namespace: string) {
    this.#redis = redis;
    this.#prefix = `${namespace}:kv:`;
  }

  async get(key: string): Promise<KvEntry | undefined> {
    checkName('key', key);
    const [version, value] = await redisCall('get', () =>
      this.#redis.hmget(this.#prefix + key, 'ver', 'val'),
    );
    if (version === null || value === null) return undefined;
    return { value, version: Number(version) };
  }

  async set(key: string, value: string, ttlMs: number): Promise<number> {
    checkName('key', key);
    checkMs('ttlMs', ttlMs);
    const version = await redisCall('set', () =>
      runScript(this.#redis, KV_SET, [this.#prefix + key], [value, ttlMs]),
    );
    return Number(version);
  }

  async compareAndSet(
    key: string,
    value: string,
    expectedVersion: number,
    ttlMs: number,
  ): Promise<CasResult> {
    checkName('key', key);
    checkMs('ttlMs', ttlMs);
    const reply = (await redisCall('compareAndSet', () =>
      runScript(this.#redis, KV_CAS, [this.#prefix + key], [value, expectedVersion, ttlMs]),
    )) as [number, number?, string?];
    if (reply[0] === 1) return { ok: true, version: Number(reply[1]) };
    const current =
      reply[1] === undefined ? undefined : { version: Number(reply[1]), value: String(reply[2]) };
    return { ok: false, current };
  }

  async delete(key: string): Promise<boolean> {
    checkName('key', key);
    return (await redisCall('delete', () => this.#redis.del(this.#prefix + key))) > 0;
  }
}
