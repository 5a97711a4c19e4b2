import { Redis, type RedisOptions } from 'ioredis';

import { McError } from '../../../sdk/protocol/errors.ts';
import { reasonOf, resolveOptions } from '../names.ts';
import type { Engine, EngineHealth, EngineOptions } from '../types.ts';
import { RedisKv } from './redis-kv.ts';
import { RedisLog } from './redis-log.ts';
import { RedisPubSub } from './redis-pubsub.ts';
import { RedisRecords } from './redis-records.ts';

/** Options of the Redis engine. */
export interface RedisEngineOptions extends EngineOptions {
  /** `redis://host:port/db`. */
  readonly url: string;
  /** A command that gets no answer within this long fails with STORAGE_UNAVAILABLE. */
  readonly commandTimeoutMs?: number;
  /** Where a throwing pub/sub handler or a connection error is reported. */
  readonly onError?: (reason: string) => void;
}

/**
 * Redis 7: hashes with PEXPIRE for KV, streams with consumer groups for the log, PUBLISH for
 * fan-out. Two connections: commands, and one in subscriber mode (Redis allows nothing else
 * on a subscribed connection). ioredis reconnects by itself and re-subscribes; commands
 * issued while it is down wait in its offline queue for at most `commandTimeoutMs`.
 */
export async function createRedisEngine(options: RedisEngineOptions): Promise<Engine> {
  const resolved = resolveOptions(options);
  const onError = options.onError ?? (() => {});
  const connection: RedisOptions = {
    commandTimeout: options.commandTimeoutMs ?? 5_000,
    // Retry a command across a reconnect a few times, then fail it to the caller, rather
    // than ioredis's default of 20 retries (minutes while Redis is down).
    maxRetriesPerRequest: 3,
    retryStrategy: (times) => Math.min(50 * 2 ** times, 2_000),
    lazyConnect: true,
  };
  const client = new Redis(options.url, { ...connection, connectionName: 'microcanvas' });
  const subscriber = new Redis(options.url, { ...connection, connectionName: 'microcanvas-sub' });
  // Without a listener ioredis prints every reconnect error; report them instead.
  client.on('error', (error: Error) => onError(`redis: ${error.message}`));
  subscriber.on('error', (error: Error) => onError(`redis (subscriber): ${error.message}`));
  try {
    await Promise.all([client.connect(), subscriber.connect()]);
  } catch (error) {
    client.disconnect();
    subscriber.disconnect();
    throw new McError('STORAGE_UNAVAILABLE', `redis at ${options.url}: ${reasonOf(error)}`);
  }
  const pubsub = new RedisPubSub(client, subscriber, resolved.namespace, onError);
  return {
    name: 'redis',
    kv: new RedisKv(client, resolved.namespace),
    records: new RedisRecords(client, resolved.namespace),
    log: new RedisLog(client, resolved),
    pubsub,
    async health(): Promise<EngineHealth> {
      if (client.status !== 'ready') return { ok: false, reason: `redis: ${client.status}` };
      try {
        await client.ping();
        return { ok: true };
      } catch (error) {
        return { ok: false, reason: `redis: ${reasonOf(error)}` };
      }
    },
    async close() {
      await Promise.allSettled([client.quit(), subscriber.quit()]);
      client.disconnect();
      subscriber.disconnect();
    },
  };
}
