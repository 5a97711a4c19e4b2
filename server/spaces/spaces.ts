import { randomUUID } from 'node:crypto';

import * as z from 'zod/mini';

import { McError } from '../../sdk/protocol/errors.ts';
import { DEFAULT_SPACE_TTL_MS, SpaceIdSchema } from '../../sdk/protocol/server-wire.ts';
import type { KvStore } from '../engine/index.ts';

/** Most members of one space. */
export const MAX_MEMBERS = 1_000;
/** Most compare-and-set attempts of one change to a space record before CONFLICT. */
const CAS_ATTEMPTS = 8;

/** A space as stored in the engine's KV under `space.<id>`. */
const SpaceRecordSchema = z.object({
  /** Changes when the space is created anew, so an old canvas never resurfaces. */
  gen: z.string(),
  members: z.array(z.string()),
  ttlMs: z.number(),
  /** When the record's TTL was last renewed (ms since the epoch). */
  touched: z.number(),
});
export type SpaceRecord = z.infer<typeof SpaceRecordSchema>;

/** Options of {@link Spaces.create}. */
export interface CreateSpaceOptions {
  /** User ids allowed to read and write the space. */
  readonly members: readonly string[];
  /** Sliding time-to-live after the last write. Default: the server's (24 h). */
  readonly ttlMs?: number;
}

/**
 * Spaces and their members, in the engine's KV: what every `join` and `edit` checks. A
 * space lives `ttlMs` after its last write (sliding); its record is renewed at most every
 * `ttlMs / 48` (30 min for 24 h), so that edits do not each rewrite it.
 *
 * A missing space and a space the user is not a member of are refused identically
 * ({@link Spaces.access}: NOT_FOUND, same message): guessing ids reveals nothing (SRV-2).
 */
export class Spaces {
  readonly #kv: KvStore;
  readonly #defaultTtlMs: number;

  constructor(kv: KvStore, defaultTtlMs: number = DEFAULT_SPACE_TTL_MS) {
    this.#kv = kv;
    this.#defaultTtlMs = defaultTtlMs;
  }

  /** Creates space `id`; CONFLICT when it exists. */
  async create(id: string, options: CreateSpaceOptions): Promise<SpaceRecord> {
    checkId(id);
    const record: SpaceRecord = {
      gen: randomUUID().slice(0, 8),
      members: checkMembers(options.members),
      ttlMs: checkTtl(options.ttlMs ?? this.#defaultTtlMs),
      touched: Date.now(),
    };
    const result = await this.#kv.compareAndSet(key(id), JSON.stringify(record), 0, record.ttlMs);
    if (!result.ok) throw new McError('CONFLICT', `space ${id} exists`);
    return record;
  }

  /** Creates space `id` unless it exists; either way resolves to the stored record. */
  async ensure(id: string, options: CreateSpaceOptions): Promise<SpaceRecord> {
    try {
      return await this.create(id, options);
    } catch (error) {
      if (!(error instanceof McError) || error.code !== 'CONFLICT') throw error;
      const record = await this.get(id);
      if (record === undefined) return this.create(id, options);
      return record;
    }
  }

  /** The space's record, or undefined when it does not exist (or expired). */
  async get(id: string): Promise<SpaceRecord | undefined> {
    if (!SpaceIdSchema.safeParse(id).success) return undefined;
    return (await this.#read(id))?.record;
  }

  /** Adds members (idempotent); NOT_FOUND when the space does not exist. */
  async addMembers(id: string, members: readonly string[]): Promise<SpaceRecord> {
    return this.#update(id, (record) => ({
      ...record,
      members: checkMembers([...new Set([...record.members, ...members])]),
    }));
  }

  /** Removes members (idempotent); NOT_FOUND when the space does not exist. */
  async removeMembers(id: string, members: readonly string[]): Promise<SpaceRecord> {
    const gone = new Set(members);
    return this.#update(id, (record) => ({
      ...record,
      members: record.members.filter((m) => !gone.has(m)),
    }));
  }

  /** Deletes the space; its canvas becomes unreachable and expires. */
  async delete(id: string): Promise<boolean> {
    checkId(id);
    return this.#kv.delete(key(id));
  }

  /**
   * The record of a space `user` belongs to, its TTL renewed when `touch` and due; NOT_FOUND
   * otherwise, the same refusal whether the space is missing or the user is not a member.
   */
  async access(id: string, user: string, touch = false): Promise<SpaceRecord> {
    const found = SpaceIdSchema.safeParse(id).success ? await this.#read(id) : undefined;
    if (found === undefined || !found.record.members.includes(user)) throw notFound();
    const { record, version } = found;
    if (touch && Date.now() - record.touched > record.ttlMs / 48) {
      const renewed = { ...record, touched: Date.now() };
      // A lost race means another writer renewed it just now: nothing to do.
      await this.#kv.compareAndSet(key(id), JSON.stringify(renewed), version, record.ttlMs);
    }
    return record;
  }

  async #read(id: string): Promise<{ record: SpaceRecord; version: number } | undefined> {
    const entry = await this.#kv.get(key(id));
    if (entry === undefined) return undefined;
    const parsed = SpaceRecordSchema.safeParse(JSON.parse(entry.value));
    if (!parsed.success) throw new McError('STORAGE_UNAVAILABLE', `space ${id}: unreadable record`);
    return { record: parsed.data, version: entry.version };
  }

  async #update(id: string, change: (record: SpaceRecord) => SpaceRecord): Promise<SpaceRecord> {
    checkId(id);
    for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
      const found = await this.#read(id);
      if (found === undefined) throw notFound();
      const next = { ...change(found.record), touched: Date.now() };
      const result = await this.#kv.compareAndSet(
        key(id),
        JSON.stringify(next),
        found.version,
        next.ttlMs,
      );
      if (result.ok) return next;
    }
    throw new McError('CONFLICT', `space ${id} kept changing; try again`);
  }
}

/** The one refusal for a missing space and a forbidden one: same code, same message. */
export function notFound(): McError {
  return new McError('NOT_FOUND', 'no such space');
}

function key(id: string): string {
  return `space.${id}`;
}

function checkId(id: string): void {
  if (!SpaceIdSchema.safeParse(id).success) {
    throw new McError('INVALID_ARGUMENT', 'a space id is 1-64 of [A-Za-z0-9_-]');
  }
}

function checkMembers(members: readonly string[]): string[] {
  if (members.length > MAX_MEMBERS) {
    throw new McError('INVALID_ARGUMENT', `a space has at most ${MAX_MEMBERS} members`);
  }
  for (const m of members) {
    if (typeof m !== 'string' || m.length === 0 || m.length > 128) {
      throw new McError('INVALID_ARGUMENT', 'a member is a user id of 1-128 characters');
    }
  }
  return [...new Set(members)];
}

function checkTtl(ttlMs: number): number {
  if (!Number.isSafeInteger(ttlMs) || ttlMs < 1_000) {
    throw new McError('INVALID_ARGUMENT', 'ttlMs is a whole number of ms, at least 1000');
  }
  return ttlMs;
}
