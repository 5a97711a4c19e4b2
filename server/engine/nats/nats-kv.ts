import type { KV, KvEntry as NatsKvEntry } from '@nats-io/kv';

import { McError } from '../../../sdk/protocol/errors.ts';
import { checkMs, checkName } from '../names.ts';
import type { CasResult, KvEntry, KvStore } from '../types.ts';
import { natsCall } from './nats-call.ts';

/**
 * KV on a JetStream KV bucket (history 1). nats-server 2.9 has no per-key TTL, so each
 * value carries its own deadline (`<deadline ms>\n<value>`) and reads past it see nothing;
 * the bucket's max age (`maxTtlMs`) removes what nobody rewrote. A write renews the age, so
 * a TTL up to `maxTtlMs` is kept exactly. Versions are the bucket's revisions: increasing,
 * not consecutive.
 */
export class NatsKv implements KvStore {
  readonly #kv: KV;
  readonly #maxTtlMs: number;

  constructor(kv: KV, maxTtlMs: number) {
    this.#kv = kv;
    this.#maxTtlMs = maxTtlMs;
  }

  #checkTtl(ttlMs: number): void {
    checkMs('ttlMs', ttlMs);
    if (ttlMs > this.#maxTtlMs) {
      throw new McError(
        'INVALID_ARGUMENT',
        `ttlMs ${ttlMs} is beyond the NATS bucket's max age ${this.#maxTtlMs} (kvMaxTtlMs)`,
      );
    }
  }

  /** The raw entry, and the live value when it is neither deleted nor past its deadline. */
  async #read(key: string): Promise<[NatsKvEntry | null, KvEntry | undefined]> {
    const entry = await natsCall('kv get', () => this.#kv.get(key));
    if (entry === null || entry.operation !== 'PUT') return [entry, undefined];
    const text = entry.string();
    const cut = text.indexOf('\n');
    if (cut < 0 || Number(text.slice(0, cut)) <= Date.now()) return [entry, undefined];
    return [entry, { value: text.slice(cut + 1), version: entry.revision }];
  }

  async get(key: string): Promise<KvEntry | undefined> {
    checkName('key', key);
    return (await this.#read(key))[1];
  }

  async set(key: string, value: string, ttlMs: number): Promise<number> {
    checkName('key', key);
    this.#checkTtl(ttlMs);
    return natsCall('kv put', () => this.#kv.put(key, `${Date.now() + ttlMs}\n${value}`));
  }

  async compareAndSet(
    key: string,
    value: string,
    expectedVersion: number,
    ttlMs: number,
  ): Promise<CasResult> {
    checkName('key', key);
    this.#checkTtl(ttlMs);
    const [raw, live] = await this.#read(key);
    if ((live?.version ?? 0) !== expectedVersion) return { ok: false, current: live };
    const data = `${Date.now() + ttlMs}\n${value}`;
    try {
      // The server checks the revision again: a writer in between makes this throw.
      const version =
        raw === null
          ? await this.#kv.create(key, data)
          : await this.#kv.update(key, data, raw.revision);
      return { ok: true, version };
    } catch (error) {
      if (!isConflict(error)) {
        throw new McError('STORAGE_UNAVAILABLE', `nats kv update: ${String(error)}`);
      }
      return { ok: false, current: (await this.#read(key))[1] };
    }
  }

  async delete(key: string): Promise<boolean> {
    checkName('key', key);
    const [, live] = await this.#read(key);
    if (live === undefined) return false;
    await natsCall('kv delete', () => this.#kv.delete(key));
    return true;
  }
}

/** JetStream's "wrong last sequence" (10071) and KV's "key exists". */
function isConflict(error: unknown): boolean {
  const text = String(error instanceof Error ? error.message : error);
  return /wrong last sequence|key exists|10071/i.test(text);
}
