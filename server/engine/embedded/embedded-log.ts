import type { Database } from 'better-sqlite3';

import {
  badToken,
  checkConsume,
  checkDelay,
  checkName,
  checkRead,
  newEpoch,
  type ResolvedOptions,
} from '../names.ts';
import type {
  AppendResult,
  ConsumeOptions,
  Delivery,
  DeliveryHandle,
  GroupInfo,
  LogEntry,
  LogRead,
  LogStore,
} from '../types.ts';

interface EntryRow {
  offset: number;
  id: string | null;
  time: number;
  payload: string;
}

const toEntry = (row: EntryRow): LogEntry => ({
  offset: row.offset,
  payload: row.payload,
  id: row.id ?? undefined,
  time: row.time,
});

/** Expired entries trimmed per append; the engine's sweep takes the rest. */
const TRIM_BATCH = 64;

/**
 * Streams on SQLite. Every operation is one synchronous transaction, so the process is the
 * only writer and each call is atomic; offsets come from the stream row's `last`.
 */
export class EmbeddedLog implements LogStore {
  readonly #prefix: string;
  readonly #append: (stream: string, payload: string, id: string | undefined) => AppendResult;
  readonly #read: (stream: string, after: number, limit: number) => LogRead;
  readonly #consume: (stream: string, group: string, options: ConsumeOptions) => Delivery[];
  readonly #ack: (stream: string, group: string, offset: number) => void;
  readonly #nack: (stream: string, group: string, offset: number, due: number) => void;
  readonly #groupInfo: (stream: string, group: string) => GroupInfo;

  constructor(db: Database, options: ResolvedOptions) {
    this.#prefix = `${options.namespace}.`;
    const { maxAgeMs, maxLen } = options.retention;

    const streamRow = db.prepare<[string], { epoch: string; last: number }>(
      'SELECT epoch, last FROM streams WHERE name = ?',
    );
    const insertStream = db.prepare('INSERT INTO streams (name, epoch, last) VALUES (?, ?, 0)');
    const bumpLast = db.prepare('UPDATE streams SET last = ? WHERE name = ?');
    const insertEntry = db.prepare(
      'INSERT INTO entries (stream, offset, id, time, payload) VALUES (?, ?, ?, ?, ?)',
    );
    const seen = db.prepare<[string, string, number], { offset: number }>(
      'SELECT offset FROM dedup WHERE stream = ? AND id = ? AND time > ?',
    );
    const remember = db.prepare(
      'INSERT OR REPLACE INTO dedup (stream, id, offset, time) VALUES (?, ?, ?, ?)',
    );
    const trimLength = db.prepare('DELETE FROM entries WHERE stream = ? AND offset <= ?');
    const trimAge = db.prepare(
      `DELETE FROM entries WHERE stream = ? AND offset IN
       (SELECT offset FROM entries WHERE stream = ? ORDER BY offset LIMIT ${TRIM_BATCH})
       AND time <= ?`,
    );
    const oldest = db.prepare<[string], { time: number }>(
      'SELECT time FROM entries WHERE stream = ? ORDER BY offset LIMIT 1',
    );
    const firstRetained = db.prepare<[string, number], { offset: number }>(
      'SELECT offset FROM entries WHERE stream = ? AND time > ? ORDER BY offset LIMIT 1',
    );
    const entriesAfter = db.prepare<[string, number, number, number], EntryRow>(
      `SELECT offset, id, time, payload FROM entries
       WHERE stream = ? AND offset > ? AND time > ? ORDER BY offset LIMIT ?`,
    );

    this.#append = db.transaction((stream: string, payload: string, id: string | undefined) => {
      const now = Date.now();
      let row = streamRow.get(stream);
      if (row === undefined) {
        row = { epoch: newEpoch(), last: 0 };
        insertStream.run(stream, row.epoch);
      }
      if (id !== undefined) {
        const copy = seen.get(stream, id, now - options.dedupWindowMs);
        if (copy !== undefined) return { offset: copy.offset, epoch: row.epoch, duplicate: true };
      }
      const offset = row.last + 1;
      insertEntry.run(stream, offset, id ?? null, now, payload);
      bumpLast.run(offset, stream);
      if (id !== undefined) remember.run(stream, id, offset, now);
      if (offset > maxLen) trimLength.run(stream, offset - maxLen);
      // Most appends find nothing expired: look at the head before deleting anything.
      if ((oldest.get(stream)?.time ?? now) <= now - maxAgeMs) {
        trimAge.run(stream, stream, now - maxAgeMs);
      }
      return { offset, epoch: row.epoch, duplicate: false };
    });

    this.#read = db.transaction((stream: string, after: number, limit: number) => {
      const row = streamRow.get(stream);
      if (row === undefined) return { epoch: '', last: 0, first: 1, entries: [] };
      const cutoff = Date.now() - maxAgeMs;
      const first = firstRetained.get(stream, cutoff)?.offset ?? row.last + 1;
      const entries = entriesAfter.all(stream, after, cutoff, limit).map(toEntry);
      return { epoch: row.epoch, last: row.last, first, entries };
    });

    const ensureGroup = db.prepare(
      'INSERT OR IGNORE INTO groups (stream, grp, cursor) VALUES (?, ?, 0)',
    );
    const cursorOf = db.prepare<[string, string], { cursor: number }>(
      'SELECT cursor FROM groups WHERE stream = ? AND grp = ?',
    );
    const setCursor = db.prepare('UPDATE groups SET cursor = ? WHERE stream = ? AND grp = ?');
    const due = db.prepare<
      [string, string, number, number],
      EntryRow & { deliveries: number; present: number | null }
    >(
      `SELECT p.offset AS offset, p.deliveries AS deliveries, e.offset AS present,
         e.id AS id, e.time AS time, e.payload AS payload
       FROM pending p LEFT JOIN entries e ON e.stream = p.stream AND e.offset = p.offset
       WHERE p.stream = ? AND p.grp = ? AND p.deadline <= ? ORDER BY p.offset LIMIT ?`,
    );
    const redeliver = db.prepare(
      `UPDATE pending SET deliveries = deliveries + 1, deadline = ?
       WHERE stream = ? AND grp = ? AND offset = ?`,
    );
    const deliver = db.prepare(
      'INSERT INTO pending (stream, grp, offset, deliveries, deadline) VALUES (?, ?, ?, 1, ?)',
    );
    const forget = db.prepare('DELETE FROM pending WHERE stream = ? AND grp = ? AND offset = ?');

    this.#consume = db.transaction((stream: string, group: string, opts: ConsumeOptions) => {
      const now = Date.now();
      const deadline = now + opts.ackWaitMs;
      ensureGroup.run(stream, group);
      const out: Delivery[] = [];
      for (const row of due.all(stream, group, now, opts.max)) {
        // An entry trimmed by retention while pending is gone for good: nothing to redeliver.
        if (row.present === null) {
          forget.run(stream, group, row.offset);
          continue;
        }
        redeliver.run(deadline, stream, group, row.offset);
        out.push({ ...toEntry(row), deliveries: row.deliveries + 1, token: String(row.offset) });
      }
      if (out.length < opts.max) {
        const cursor = cursorOf.get(stream, group)!.cursor;
        const fresh = entriesAfter.all(stream, cursor, now - maxAgeMs, opts.max - out.length);
        for (const row of fresh) {
          deliver.run(stream, group, row.offset, deadline);
          out.push({ ...toEntry(row), deliveries: 1, token: String(row.offset) });
        }
        if (fresh.length > 0) setCursor.run(fresh.at(-1)!.offset, stream, group);
      }
      return out;
    });

    this.#ack = (stream, group, offset) => {
      forget.run(stream, group, offset);
    };
    // A nacked entry stays pending with an earlier deadline: the next consume finds it due.
    const reschedule = db.prepare(
      'UPDATE pending SET deadline = ? WHERE stream = ? AND grp = ? AND offset = ?',
    );
    this.#nack = (stream, group, offset, due) => {
      reschedule.run(due, stream, group, offset);
    };
    const pendingCount = db.prepare<[string, string], { n: number }>(
      'SELECT count(*) AS n FROM pending WHERE stream = ? AND grp = ?',
    );
    this.#groupInfo = db.transaction((stream: string, group: string) => {
      const row = streamRow.get(stream);
      if (row === undefined) return { backlog: 0, pending: 0 };
      const first = firstRetained.get(stream, Date.now() - maxAgeMs)?.offset ?? row.last + 1;
      const cursor = cursorOf.get(stream, group)?.cursor ?? 0;
      return {
        backlog: Math.max(0, row.last - Math.max(cursor, first - 1)),
        pending: pendingCount.get(stream, group)!.n,
      };
    });
  }

  async append(stream: string, payload: string, id?: string): Promise<AppendResult> {
    checkName('stream', stream);
    return this.#append(this.#prefix + stream, payload, id);
  }

  async read(stream: string, after: number, limit: number): Promise<LogRead> {
    checkName('stream', stream);
    checkRead(after, limit);
    return this.#read(this.#prefix + stream, after, limit);
  }

  async consume(stream: string, group: string, options: ConsumeOptions): Promise<Delivery[]> {
    checkName('stream', stream);
    checkName('group', group);
    checkConsume(options);
    return this.#consume(this.#prefix + stream, group, options);
  }

  async ack(stream: string, group: string, delivery: DeliveryHandle): Promise<void> {
    checkName('stream', stream);
    checkName('group', group);
    this.#ack(this.#prefix + stream, group, offsetOf(delivery));
  }

  async nack(
    stream: string,
    group: string,
    delivery: DeliveryHandle,
    delayMs: number,
  ): Promise<void> {
    checkName('stream', stream);
    checkName('group', group);
    checkDelay(delayMs);
    this.#nack(this.#prefix + stream, group, offsetOf(delivery), Date.now() + delayMs);
  }

  async groupInfo(stream: string, group: string): Promise<GroupInfo> {
    checkName('stream', stream);
    checkName('group', group);
    return this.#groupInfo(this.#prefix + stream, group);
  }
}

/** The token is the entry's offset. */
function offsetOf(delivery: DeliveryHandle): number {
  const token = delivery.token;
  if (typeof token !== 'string' || !/^[1-9]\d{0,15}$/.test(token)) badToken();
  return Number(token);
}
