import type { Database } from 'better-sqlite3';

import { checkName } from '../names.ts';
import { checkList, checkVersion } from '../records.ts';
import type { CasResult, KvEntry, RecordStore } from '../types.ts';

interface Row {
  value: string;
  version: number;
}

/**
 * Records on one SQLite table. Versions come from one counter per namespace, so that a
 * record deleted and created again never gets back a version it had: an ETag taken before
 * the delete cannot match the new record.
 */
export class EmbeddedRecords implements RecordStore {
  readonly #prefix: string;
  readonly #get: (key: string) => Row | undefined;
  readonly #set: (key: string, value: string) => number;
  readonly #cas: (key: string, value: string, expected: number) => CasResult;
  readonly #delete: (key: string, expected: number | undefined) => boolean;
  readonly #list: (from: string, to: string, limit: number) => string[];

  constructor(db: Database, namespace: string) {
    this.#prefix = `${namespace}.`;
    const get = db.prepare<[string], Row>('SELECT value, version FROM records WHERE key = ?');
    const upsert = db.prepare(
      `INSERT INTO records (key, value, version) VALUES (?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, version = excluded.version`,
    );
    const remove = db.prepare('DELETE FROM records WHERE key = ?');
    const bump = db.prepare<[string], { last: number }>(
      `INSERT INTO record_seq (namespace, last) VALUES (?, 1)
       ON CONFLICT (namespace) DO UPDATE SET last = last + 1 RETURNING last`,
    );
    const next = (): number => bump.get(namespace)!.last;
    // Keys are [A-Za-z0-9_.-]; every key under `p.` sorts in [`p.`, `p/`) ('/' follows '.').
    const range = db.prepare<[string, string, number], { key: string }>(
      'SELECT key FROM records WHERE key >= ? AND key < ? ORDER BY key LIMIT ?',
    );
    this.#get = (key) => get.get(key);
    this.#set = db.transaction((key: string, value: string) => {
      const version = next();
      upsert.run(key, value, version);
      return version;
    });
    this.#cas = db.transaction((key: string, value: string, expected: number): CasResult => {
      const row = get.get(key);
      if ((row?.version ?? 0) !== expected) return { ok: false, current: row && { ...row } };
      const version = next();
      upsert.run(key, value, version);
      return { ok: true, version };
    });
    this.#delete = db.transaction((key: string, expected: number | undefined) => {
      const row = get.get(key);
      if (row === undefined || (expected !== undefined && row.version !== expected)) return false;
      remove.run(key);
      return true;
    });
    this.#list = (from, to, limit) => range.all(from, to, limit).map((row) => row.key);
  }

  async get(key: string): Promise<KvEntry | undefined> {
    checkName('key', key);
    const row = this.#get(this.#prefix + key);
    return row && { value: row.value, version: row.version };
  }

  async set(key: string, value: string): Promise<number> {
    checkName('key', key);
    return this.#set(this.#prefix + key, value);
  }

  async compareAndSet(key: string, value: string, expectedVersion: number): Promise<CasResult> {
    checkName('key', key);
    checkVersion(expectedVersion);
    return this.#cas(this.#prefix + key, value, expectedVersion);
  }

  async delete(key: string, expectedVersion?: number): Promise<boolean> {
    checkName('key', key);
    if (expectedVersion !== undefined) checkVersion(expectedVersion);
    return this.#delete(this.#prefix + key, expectedVersion);
  }

  async list(prefix: string, limit?: number): Promise<string[]> {
    const n = checkList(prefix, limit);
    const base = this.#prefix + prefix;
    const cut = this.#prefix.length;
    return this.#list(`${base}.`, `${base}/`, n).map((key) => key.slice(cut));
  }
}
