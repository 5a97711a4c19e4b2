import { createHash } from 'node:crypto';

import type { Redis } from 'ioredis';

import { McError } from '../../../sdk/protocol/errors.ts';
import { reasonOf } from '../names.ts';

/** Runs a Redis call, turning its failures into STORAGE_UNAVAILABLE. */
export async function redisCall<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof McError) throw error;
    throw new McError('STORAGE_UNAVAILABLE', `redis ${what}: ${reasonOf(error)}`);
  }
}

const SHAS = new Map<string, string>();

/**
 * Runs a Lua script by its SHA1 (EVALSHA), sending the text only when Redis does not know
 * it yet (NOSCRIPT: first use, or after a restart flushed the script cache). The scripts
 * are a few hundred bytes; sending them on every call cost a third of the append rate.
 */
export async function runScript(
  redis: Redis,
  lua: string,
  keys: string[],
  args: Array<string | number>,
): Promise<unknown> {
  let sha = SHAS.get(lua);
  if (sha === undefined) SHAS.set(lua, (sha = createHash('sha1').update(lua).digest('hex')));
  try {
    return await redis.evalsha(sha, keys.length, ...keys, ...args);
  } catch (error) {
    if (!String(error).includes('NOSCRIPT')) throw error;
    return redis.eval(lua, keys.length, ...keys, ...args);
  }
}
