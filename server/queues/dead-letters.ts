import { createHash } from 'node:crypto';

import { McError } from '../../sdk/protocol/errors.ts';
import type { DeadLetter } from '../../sdk/protocol/queues.ts';
import { decodeBackendEvent } from '../delivery/event-codec.ts';
import type { Engine } from '../engine/index.ts';
import { queueStream } from '../delivery/types.ts';

/** How many dead letters one listing returns at most. */
export const MAX_DEAD_LETTERS_LISTED = 1_000;

/** A dead letter as stored in the engine's records. */
interface StoredDeadLetter {
  readonly deliveries: number;
  readonly deadAt: number;
  readonly reason: string;
  /** The queue entry's payload, as it was. */
  readonly payload: string;
}

const prefixOf = (app: string, queue: string): string => `queues.dead.${app}.${queue}`;

/**
 * A queue's dead letters: events handed out `maxDeliveries` times without an ack (or entries
 * that were not events at all), kept in the engine's records (no expiry) until an admin
 * replays them. A dead letter's id comes from its queue offset and payload, so moving the
 * same entry twice (the ack after the move failed, the entry came back) keeps one.
 */
export class DeadLetters {
  readonly #engine: Engine;

  constructor(engine: Engine) {
    this.#engine = engine;
  }

  /** Keeps `payload` (queue offset `offset`) as a dead letter. */
  async add(
    app: string,
    queue: string,
    entry: { readonly offset: number; readonly payload: string; readonly deliveries: number },
    reason: 'max-deliveries' | 'malformed',
  ): Promise<void> {
    const hash = createHash('sha256').update(entry.payload).digest('base64url').slice(0, 12);
    const id = `${String(entry.offset).padStart(15, '0')}-${hash}`;
    const stored: StoredDeadLetter = {
      deliveries: entry.deliveries,
      deadAt: Date.now(),
      reason,
      payload: entry.payload,
    };
    await this.#engine.records.set(`${prefixOf(app, queue)}.${id}`, JSON.stringify(stored));
  }

  /** How many there are (up to 10,000). */
  async count(app: string, queue: string): Promise<number> {
    return (await this.#engine.records.list(prefixOf(app, queue))).length;
  }

  /** The oldest `limit` dead letters, in queue order. */
  async list(app: string, queue: string, limit = MAX_DEAD_LETTERS_LISTED): Promise<DeadLetter[]> {
    const prefix = prefixOf(app, queue);
    const keys = await this.#engine.records.list(prefix, limit);
    const out: DeadLetter[] = [];
    for (const key of keys) {
      const record = await this.#engine.records.get(key);
      if (record === undefined) continue; // replayed meanwhile
      out.push(toDeadLetter(key.slice(prefix.length + 1), JSON.parse(record.value)));
    }
    return out;
  }

  /**
   * Puts a dead letter back at the end of its queue, as a new entry (delivery count from 1),
   * then removes it. Replaying the same one twice at once appends it once: the append's
   * dedup id is the dead letter's, and only the replay that removes the record reports it.
   * Resolves to false when there is no such dead letter.
   */
  async replay(app: string, queue: string, id: string): Promise<boolean> {
    if (!/^\d{15}-[A-Za-z0-9_-]{12}$/.test(id)) return false;
    const key = `${prefixOf(app, queue)}.${id}`;
    const record = await this.#engine.records.get(key);
    if (record === undefined) return false;
    const stored = JSON.parse(record.value) as StoredDeadLetter;
    await this.#engine.log.append(queueStream(app, queue), stored.payload, `dlq-${id}`);
    return this.#engine.records.delete(key, record.version);
  }

  /** Replays up to `limit` of the oldest; resolves to how many were replayed. */
  async replayAll(app: string, queue: string, limit = MAX_DEAD_LETTERS_LISTED): Promise<number> {
    let replayed = 0;
    for (const key of await this.#engine.records.list(prefixOf(app, queue), limit)) {
      if (await this.replay(app, queue, key.split('.').at(-1)!)) replayed++;
    }
    return replayed;
  }
}

function toDeadLetter(id: string, stored: StoredDeadLetter): DeadLetter {
  const letter: DeadLetter = {
    id,
    deliveries: stored.deliveries,
    deadAt: stored.deadAt,
    reason: stored.reason,
  };
  const event = decodeBackendEvent(stored.payload);
  if (event === undefined) letter.raw = stored.payload;
  else letter.event = event;
  return letter;
}

/** NOT_FOUND for a dead letter that is not there. */
export function noDeadLetter(): McError {
  return new McError('NOT_FOUND', 'no such dead letter');
}
