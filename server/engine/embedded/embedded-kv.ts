import type { Database, Statement } from 'better-sqlite3';

import { checkMs, checkName } from '../names.ts';
import type { CasResult, KvEntry, KvStore } from '../types.ts';

interface Row {
  value: string;
  version: number;
  expires: number;
}

/** KV on one SQLite table; expiry is checked on read and swept by the engine's timer. */
export class EmbeddedKv implements KvStore {
  readonly #prefix: string;
  readonly #get: Statement<[string, number], Row>;
  readonly #upsert: Statement<[string, string, number, number]>;
  readonly #delete: Statement<[string, number]>;
  readonly #cas: (key: string, value: string, expected: number, ttlMs: number) => CasResult;
  readonly #set: (key: string, value: string, ttlMs: number) => number;

  constructor(db: Database, namespace: string) {
    this.#prefix = `${namespace}.`;
    this.#get = db.prepare('SELECT value, version, expires FROM kv WHERE key = ? AND expires > ?');
    this.#upsert = db.prepare(
      `INSERT INTO kv (key, value, version, expires) VALUES (?, ?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, version = excluded.version,
       expires = excluded.expires`,
    );
    this.#delete = db.prepare('DELETE FROM kv WHERE key = ? AND expires > ?');
    const current = (key: string, now: number): Row | undefined => this.#get.get(key, now);
    // Versions keep counting across expiry only while the row exists; an expired row's
    // version is not reused because the next write starts from it, not from 0.
    const versionRow = db.prepare<[string], { version: number }>(
      'SELECT version FROM kv WHERE key = ?',
    );
    const nextVersion = (key: string): number => (versionRow.get(key)?.version ?? 0) + 1;
    this.#set = db.transaction((key: string, value: string, ttlMs: number) => {
      const version = nextVersion(key);
      this.#upsert.run(key, value, version, Date.now() + ttlMs);
      return version;
    });
    this.#cas = db.transaction(
      (key: string, value: string, expected: number, ttlMs: number): CasResult => {
        const now = Date.now();
        const row = current(key, now);
        if ((row?.version ?? 0) !== expected) {
          return { ok: false, current: row && { value: row.value, version: row.version } };
        }
        const version = nextVersion(key);
        this.#upsert.run(key, value, version, now + ttlMs);
        return { ok: true, version };
      },
    );
  }

  async get(key: string): Promise<KvEntry | undefined> {
    checkName('key', key);
    const row = this.#get.get(this.#prefix + key, Date.now());
    return row && { value: row.value, version: row.version };
  }

  async set(key: string, value: string, ttlMs: number): Promise<number> {
    checkName('key', key);
    checkMs('ttlMs', ttlMs);
    return this.#set(this.#prefix + key, value, ttlMs);
  }

  async compareAndSet(
    key: string,
    value: string,
    expectedVersion: number,
    ttlMs: number,
  ): Promise<CasResult> {
    checkName('key', key);
    checkMs('ttlMs', ttlMs);
    return this.#cas(this.#prefix + key, value, expectedVersion, ttlMs);
  }

  async delete(key: string): Promise<boolean> {
    checkName('key', key);
    return this.#delete.run(this.#prefix + key, Date.now()).changes > 0;
  }
}
