import type { Database } from 'better-sqlite3';

/**
 * Tables of the embedded engine. Every name column carries the namespace as its first token
 * (`<namespace>.<name>`), so that several engines can share one file. WITHOUT ROWID keeps
 * each table a single B-tree ordered by its key, which is how every query reads it.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS kv (
  key TEXT PRIMARY KEY, value TEXT NOT NULL, version INTEGER NOT NULL, expires INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS records (
  key TEXT PRIMARY KEY, value TEXT NOT NULL, version INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS record_seq (
  namespace TEXT PRIMARY KEY, last INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS streams (
  name TEXT PRIMARY KEY, epoch TEXT NOT NULL, last INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS entries (
  stream TEXT NOT NULL, offset INTEGER NOT NULL, id TEXT, time INTEGER NOT NULL,
  payload TEXT NOT NULL, PRIMARY KEY (stream, offset)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS dedup (
  stream TEXT NOT NULL, id TEXT NOT NULL, offset INTEGER NOT NULL, time INTEGER NOT NULL,
  PRIMARY KEY (stream, id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS groups (
  stream TEXT NOT NULL, grp TEXT NOT NULL, cursor INTEGER NOT NULL, PRIMARY KEY (stream, grp)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS pending (
  stream TEXT NOT NULL, grp TEXT NOT NULL, offset INTEGER NOT NULL,
  deliveries INTEGER NOT NULL, deadline INTEGER NOT NULL, PRIMARY KEY (stream, grp, offset)
) WITHOUT ROWID;
`;

/**
 * WAL with synchronous=NORMAL: a committed transaction survives the process being killed
 * (the WAL is in the OS's page cache), which is the crash the server promises to survive;
 * a power cut may lose the last transactions. `synchronous: 'full'` closes that gap at
 * the cost of an fsync per commit.
 */
export function prepareDatabase(db: Database, synchronous: 'normal' | 'full'): void {
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${synchronous}`);
  db.pragma('busy_timeout = 5000');
  db.exec(SCHEMA);
}
