import { resolve } from 'node:path';

import Database from 'better-sqlite3';

import { McError } from '../../../sdk/protocol/errors.ts';
import { reasonOf, resolveOptions, type ResolvedOptions } from '../names.ts';
import type { Engine, EngineHealth, EngineOptions } from '../types.ts';
import { EmbeddedKv } from './embedded-kv.ts';
import { EmbeddedLog } from './embedded-log.ts';
import { EmbeddedRecords } from './embedded-records.ts';
import { LocalPubSub } from './local-pubsub.ts';
import { prepareDatabase } from './schema.ts';

/** Options of the embedded engine. */
export interface EmbeddedEngineOptions extends EngineOptions {
  /** The SQLite file; `:memory:` keeps nothing across restarts. */
  readonly path: string;
  /** `full` fsyncs every commit (survives a power cut); default `normal` (survives a crash). */
  readonly synchronous?: 'normal' | 'full';
  /** How often expired rows are deleted (they already read as absent). Default 60 s. */
  readonly sweepIntervalMs?: number;
  /** Where a throwing pub/sub handler is reported. */
  readonly onError?: (reason: string) => void;
}

/** One process, nothing to install: everything in one SQLite file. */
export function createEmbeddedEngine(options: EmbeddedEngineOptions): Engine {
  const resolved = resolveOptions(options);
  let db: Database.Database;
  try {
    db = new Database(options.path);
    prepareDatabase(db, options.synchronous ?? 'normal');
  } catch (error) {
    throw new McError('STORAGE_UNAVAILABLE', `cannot open ${options.path}: ${reasonOf(error)}`);
  }
  const sweep = sweeper(db, resolved);
  const timer = setInterval(sweep, options.sweepIntervalMs ?? 60_000);
  timer.unref();
  const ping = db.prepare('SELECT 1');
  return {
    name: 'embedded',
    kv: new EmbeddedKv(db, resolved.namespace),
    records: new EmbeddedRecords(db, resolved.namespace),
    log: new EmbeddedLog(db, resolved),
    pubsub: new LocalPubSub(hubOf(options.path, resolved.namespace), options.onError ?? (() => {})),
    async health(): Promise<EngineHealth> {
      try {
        ping.get();
        return { ok: true };
      } catch (error) {
        return { ok: false, reason: `sqlite: ${reasonOf(error)}` };
      }
    },
    async close() {
      clearInterval(timer);
      if (db.open) db.close();
    },
  };
}

/** Deletes what already reads as absent: expired keys, entries and dedup ids. */
function sweeper(db: Database.Database, options: ResolvedOptions): () => void {
  // A prefix compare, not LIKE: `_` in a namespace would be a LIKE wildcard.
  const prefix = `${options.namespace}.`;
  const n = prefix.length;
  const kv = db.prepare('DELETE FROM kv WHERE substr(key, 1, ?) = ? AND expires <= ?');
  const entries = db.prepare('DELETE FROM entries WHERE substr(stream, 1, ?) = ? AND time <= ?');
  const dedup = db.prepare('DELETE FROM dedup WHERE substr(stream, 1, ?) = ? AND time <= ?');
  return () => {
    if (!db.open) return;
    const now = Date.now();
    kv.run(n, prefix, now);
    entries.run(n, prefix, now - options.retention.maxAgeMs);
    dedup.run(n, prefix, now - options.dedupWindowMs);
  };
}

/** A file's hub is its absolute path; every in-memory database is a hub of its own. */
function hubOf(path: string, namespace: string): string {
  const place =
    path === ':memory:' || path === '' ? `memory:${crypto.randomUUID()}` : resolve(path);
  return `${namespace}@${place}`;
}
