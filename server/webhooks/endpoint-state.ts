import { createHash } from 'node:crypto';

import * as z from 'zod/mini';

import { McError } from '../../sdk/protocol/errors.ts';
import { BackendEventSchema } from '../delivery/event-codec.ts';
import type { RecordStore } from '../engine/types.ts';

/** How an attempt, or an event, ended. */
export const RESULTS = ['delivered', 'failed', 'gone', 'dead'] as const;

/** The event being delivered: taken from the stream, not yet delivered nor dead. */
const HeadSchema = z.object({
  event: BackendEventSchema,
  /** Attempts made so far. */
  attempts: z.number(),
  /** When the next attempt is due (the dispatcher's clock). */
  nextAt: z.number(),
});

const LastSchema = z.object({
  id: z.string(),
  result: z.enum(RESULTS),
  status: z.optional(z.number()),
  error: z.optional(z.string()),
  attempt: z.number(),
  at: z.number(),
});

/**
 * One webhook endpoint's delivery state, a record of the engine (it never expires): what a
 * restarted or another process resumes from. Written with compare-and-set, so that the
 * dispatcher, a second one that lost its lease, and an admin never overwrite each other.
 */
export const EndpointStateSchema = z.object({
  enabled: z.boolean(),
  /** Why the endpoint was disabled (a 410 answer). */
  disabledReason: z.optional(z.string()),
  head: z.optional(HeadSchema),
  /**
   * Dedup ids of the stream entries taken last: an entry taken (written as `head`) whose ack
   * was lost comes back, and is dropped by this.
   */
  recent: z.array(z.string()),
  last: z.optional(LastSchema),
  /**
   * Offset of the last entry taken from the stream: the next one taken should follow it, and
   * a jump means the stream's retention dropped events before they were delivered.
   */
  offset: z.optional(z.number()),
  delivered: z.number(),
  dead: z.number(),
});
export type EndpointState = z.infer<typeof EndpointStateSchema>;
export type Head = z.infer<typeof HeadSchema>;
export type LastResult = z.infer<typeof LastSchema>;

/** An event whose every attempt failed, for an admin to read and replay. */
export const DeadLetterSchema = z.object({
  event: BackendEventSchema,
  attempts: z.number(),
  last: LastSchema,
  at: z.number(),
});
export type DeadLetter = z.infer<typeof DeadLetterSchema>;

/** How many entries' dedup ids are remembered in `recent`. */
const RECENT = 16;

export const INITIAL_STATE: EndpointState = {
  enabled: true,
  recent: [],
  delivered: 0,
  dead: 0,
};

export const endpointKey = (app: string, name: string): string => `webhooks.ep.${app}.${name}`;
export const deadLetterPrefix = (app: string, name: string): string =>
  `webhooks.dead.${app}.${name}`;
export const deadLetterKey = (app: string, name: string, id: string): string =>
  `${deadLetterPrefix(app, name)}.${letterId(id)}`;

/**
 * A dead letter's id (its key's last token and its admin URL segment): the event id when it
 * is a name token (the bus's are base64url), else a hash of it.
 */
export function letterId(eventId: string): string {
  return /^[A-Za-z0-9_-]{1,64}$/.test(eventId)
    ? eventId
    : createHash('sha256').update(eventId).digest('base64url').slice(0, 32);
}

/** A state with the version its next write must name. */
export interface VersionedState {
  readonly state: EndpointState;
  readonly version: number;
}

/** Reads and writes endpoint states and dead letters in the engine's records. */
export class EndpointStore {
  readonly #records: RecordStore;

  constructor(records: RecordStore) {
    this.#records = records;
  }

  async load(app: string, name: string): Promise<VersionedState> {
    const found = await this.#records.get(endpointKey(app, name));
    if (found === undefined) return { state: INITIAL_STATE, version: 0 };
    const parsed = EndpointStateSchema.safeParse(JSON.parse(found.value));
    if (!parsed.success) {
      throw new McError('STORAGE_UNAVAILABLE', `unreadable webhook state ${app}.${name}`);
    }
    return { state: parsed.data, version: found.version };
  }

  /** Writes `state` if the record is still at `version`; resolves to the new version, or undefined. */
  async save(
    app: string,
    name: string,
    state: EndpointState,
    version: number,
  ): Promise<number | undefined> {
    const result = await this.#records.compareAndSet(
      endpointKey(app, name),
      JSON.stringify(state),
      version,
    );
    return result.ok ? result.version : undefined;
  }

  /** Applies `change` to the current state until the write wins (admin actions). */
  async update(
    app: string,
    name: string,
    change: (state: EndpointState) => EndpointState,
  ): Promise<EndpointState> {
    for (;;) {
      const { state, version } = await this.load(app, name);
      const next = change(state);
      if ((await this.save(app, name, next, version)) !== undefined) return next;
    }
  }

  async putDeadLetter(app: string, name: string, letter: DeadLetter): Promise<void> {
    await this.#records.set(deadLetterKey(app, name, letter.event.id), JSON.stringify(letter));
  }

  async deadLetters(app: string, name: string, limit = 1_000): Promise<DeadLetter[]> {
    const keys = await this.#records.list(deadLetterPrefix(app, name), limit);
    const letters: DeadLetter[] = [];
    for (const key of keys) {
      const letter = await this.deadLetter(key);
      if (letter !== undefined) letters.push(letter);
    }
    return letters;
  }

  async deadLetter(key: string): Promise<DeadLetter | undefined> {
    const found = await this.#records.get(key);
    if (found === undefined) return undefined;
    const parsed = DeadLetterSchema.safeParse(JSON.parse(found.value));
    return parsed.success ? parsed.data : undefined;
  }

  /** Removes a dead letter by its {@link letterId}. */
  async deleteDeadLetter(app: string, name: string, id: string): Promise<boolean> {
    return this.#records.delete(`${deadLetterPrefix(app, name)}.${id}`);
  }

  /** Dead letters of one endpoint, or of every endpoint (the gauge), counted up to `limit`. */
  async countDeadLetters(app?: string, name?: string, limit = 10_000): Promise<number> {
    const prefix = app === undefined ? 'webhooks.dead' : deadLetterPrefix(app, name ?? '');
    return (await this.#records.list(prefix, limit)).length;
  }
}

/** `recent` with one more id, the oldest dropped beyond {@link RECENT}. */
export function remember(recent: readonly string[], id: string): string[] {
  return [...recent, id].slice(-RECENT);
}
