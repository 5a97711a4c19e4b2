import type { KV, KvEntry as NatsKvEntry } from '@nats-io/kv';

import { McError } from '../../../sdk/protocol/errors.ts';
import { checkName } from '../names.ts';
import { checkList, checkVersion } from '../records.ts';
import type { CasResult, KvEntry, RecordStore } from '../types.ts';
import { natsCall } from './nats-call.ts';

/** How often delete without a version retries when a writer slips in between. */
const DELETE_ATTEMPTS = 5;

/**
 * Records on a JetStream KV bucket of their own: history 1 and no max age (the KV store's
 * bucket has one, which would expire records). Versions are the bucket's revisions (stream
 * sequences): increasing, never reused, so a record deleted and created again never gets
 * back a version it had. Conditional writes and deletes name the revision they expect
 * (`Nats-Expected-Last-Subject-Sequence`), which the server checks.
 */
export class NatsRecords implements RecordStore {
  readonly #kv: KV;

  constructor(kv: KV) {
    this.#kv = kv;
  }

  /** The raw entry (possibly a delete marker), and the live record. */
  async #read(key: string): Promise<[NatsKvEntry | null, KvEntry | undefined]> {
    const entry = await natsCall('record get', () => this.#kv.get(key));
    if (entry === null || entry.operation !== 'PUT') return [entry, undefined];
    return [entry, { value: entry.string(), version: entry.revision }];
  }

  async get(key: string): Promise<KvEntry | undefined> {
    checkName('key', key);
    return (await this.#read(key))[1];
  }

  async set(key: string, value: string): Promise<number> {
    checkName('key', key);
    return natsCall('record put', () => this.#kv.put(key, value));
  }

  async compareAndSet(key: string, value: string, expectedVersion: number): Promise<CasResult> {
    checkName('key', key);
    checkVersion(expectedVersion);
    const [raw, live] = await this.#read(key);
    if ((live?.version ?? 0) !== expectedVersion) return { ok: false, current: live };
    try {
      const version =
        raw === null
          ? await this.#kv.create(key, value)
          : await this.#kv.update(key, value, raw.revision);
      return { ok: true, version };
    } catch (error) {
      if (!isConflict(error)) {
        throw new McError('STORAGE_UNAVAILABLE', `nats record update: ${String(error)}`);
      }
      return { ok: false, current: (await this.#read(key))[1] };
    }
  }

  async delete(key: string, expectedVersion?: number): Promise<boolean> {
    checkName('key', key);
    if (expectedVersion !== undefined) checkVersion(expectedVersion);
    for (let attempt = 0; attempt < DELETE_ATTEMPTS; attempt++) {
      const [, live] = await this.#read(key);
      if (live === undefined) return false;
      if (expectedVersion !== undefined && live.version !== expectedVersion) return false;
      try {
        await this.#kv.delete(key, { previousSeq: live.version });
        return true;
      } catch (error) {
        if (!isConflict(error)) {
          throw new McError('STORAGE_UNAVAILABLE', `nats record delete: ${String(error)}`);
        }
        // Another writer came between the read and the delete: read again.
      }
    }
    throw new McError('CONFLICT', `record ${key} kept changing during delete`);
  }

  async list(prefix: string, limit?: number): Promise<string[]> {
    const n = checkList(prefix, limit);
    // `p.>` matches whole tokens under `p`; keys() skips deleted records.
    const keys = await natsCall('record list', async () => {
      const out: string[] = [];
      for await (const key of await this.#kv.keys(`${prefix}.>`)) out.push(key);
      return out;
    });
    // Keys are ASCII, so code-unit order is byte order, as on the other engines.
    return keys.sort().slice(0, n);
  }
}

/** JetStream's "wrong last sequence" (10071) and KV's "key exists". */
function isConflict(error: unknown): boolean {
  const text = String(error instanceof Error ? error.message : error);
  return /wrong last sequence|key exists|10071/i.test(text);
}
