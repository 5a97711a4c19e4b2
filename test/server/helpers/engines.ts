import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { Redis } from 'ioredis';

import { createEngine } from '../../../server/engine/index.ts';
import type { Engine, EngineName, EngineOptions, LogEntry } from '../../../server/engine/index.ts';

/** Where the shared services are; scripts/test.mjs sets these when it starts its own. */
export const REDIS_URL = process.env.MC_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const NATS_URL = process.env.MC_NATS_URL ?? 'nats://127.0.0.1:4222';

/**
 * The engines to test: all three unless MC_TEST_ENGINES names fewer (scripts/test.mjs does
 * when a service is missing and says so).
 */
export const ENGINES: EngineName[] = (process.env.MC_TEST_ENGINES ?? 'embedded,redis,nats')
  .split(',')
  .filter((name): name is EngineName => ['embedded', 'redis', 'nats'].includes(name));

/** A namespace no other test (or CI run on the same Redis/NATS) uses. */
export function uniqueNamespace(): string {
  return `t${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
}

/**
 * Engines of one kind sharing one namespace (and, for the embedded engine, one file), as
 * processes of one deployment do; `cleanup()` closes them and deletes everything the
 * namespace holds on the service.
 */
export class EngineFixture {
  readonly kind: EngineName;
  readonly namespace = uniqueNamespace();
  readonly #dir: string | undefined;
  readonly #open: Engine[] = [];

  constructor(kind: EngineName) {
    this.kind = kind;
    if (kind === 'embedded') this.#dir = mkdtempSync(join(tmpdir(), 'mc-engine-'));
  }

  /** Where the engine lives: the SQLite file or the service URL. */
  get url(): string {
    if (this.kind === 'embedded') return join(this.#dir!, 'data.db');
    return this.kind === 'redis' ? REDIS_URL : NATS_URL;
  }

  async open(options: EngineOptions = {}): Promise<Engine> {
    const engine = await createEngine({
      engine: this.kind,
      url: this.url,
      namespace: this.namespace,
      ...options,
    });
    this.#open.push(engine);
    return engine;
  }

  async cleanup(): Promise<void> {
    await Promise.allSettled(this.#open.map((engine) => engine.close()));
    if (this.#dir !== undefined) rmSync(this.#dir, { recursive: true, force: true });
    if (this.kind === 'redis') await dropRedis(REDIS_URL, this.namespace);
    if (this.kind === 'nats') await dropNats(NATS_URL, this.namespace);
  }
}

/** Deletes every key of a namespace (KV, streams with their meta and dedup keys). */
export async function dropRedis(url: string, namespace: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    for (const pattern of [`${namespace}:*`, `{${namespace}:*`]) {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
        if (keys.length > 0) await redis.del(...keys);
        cursor = next;
      } while (cursor !== '0');
    }
  } finally {
    redis.disconnect();
  }
}

/** Deletes every stream of a namespace, its KV and records buckets included. */
export async function dropNats(url: string, namespace: string): Promise<void> {
  const nc = await connect({ servers: url });
  try {
    const jsm = await jetstreamManager(nc);
    const doomed: string[] = [];
    for await (const name of jsm.streams.names()) {
      if (name.startsWith(`${namespace}_`) || name.startsWith(`KV_${namespace}_`))
        doomed.push(name);
    }
    for (const name of doomed) await jsm.streams.delete(name);
  } finally {
    await nc.close();
  }
}

/** Polls `probe` until it returns something other than undefined, or fails after `ms`. */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  ms = 10_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Every retained entry of a stream, page by page. */
export async function readAll(engine: Engine, stream: string): Promise<LogEntry[]> {
  const out: LogEntry[] = [];
  for (let after = 0; ;) {
    const { entries } = await engine.log.read(stream, after, 1_000);
    if (entries.length === 0) return out;
    out.push(...entries);
    after = entries.at(-1)!.offset;
  }
}
