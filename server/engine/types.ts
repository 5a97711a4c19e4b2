/**
 * The one interface every storage engine implements (embedded SQLite, Redis 7, NATS
 * JetStream). It holds exactly what canvas sync, the bus, the registry and webhooks need:
 *
 * - {@link KvStore}: keyed values with a per-key time-to-live and a version for
 *   compare-and-set (spaces, canvases and public state, 24 h sliding expiry).
 * - {@link LogStore}: durable, ordered streams with consecutive offsets within an epoch,
 *   dedup by message id, retention by age and length, and consumer groups with
 *   at-least-once delivery (the bus's history and the webhook outbox).
 * - {@link RecordStore}: keyed records without expiry, listable (the registry, dead letters).
 * - {@link PubSub}: fire-and-forget fan-out between server processes (at most once).
 *
 * docs/decisions/0013-server-engines.md gives the guarantees and how each engine keeps them;
 * test/server/conformance.test.ts holds every engine to them.
 */

/** The engines this package ships. */
export type EngineName = 'embedded' | 'redis' | 'nats';

/** A stored value with the version that compare-and-set checks. */
export interface KvEntry {
  readonly value: string;
  /** Greater than every earlier version of the same key while the key lives; never 0. */
  readonly version: number;
}

/** The outcome of {@link KvStore.compareAndSet}. */
export type CasResult =
  | { readonly ok: true; readonly version: number }
  | { readonly ok: false; readonly current: KvEntry | undefined };

/**
 * Keys are dot-separated tokens of `[A-Za-z0-9_-]` (see names.ts), so that every engine can
 * store them as they are. Every write sets the key's time-to-live anew (sliding expiry); an
 * expired key reads as absent.
 */
export interface KvStore {
  get(key: string): Promise<KvEntry | undefined>;
  /** Writes unconditionally; resolves to the new version. */
  set(key: string, value: string, ttlMs: number): Promise<number>;
  /**
   * Writes only when the key's current version is `expectedVersion` (0: only when the key is
   * absent or expired). Atomic across every process on the same engine.
   */
  compareAndSet(
    key: string,
    value: string,
    expectedVersion: number,
    ttlMs: number,
  ): Promise<CasResult>;
  /** Resolves to true when a live key was removed. */
  delete(key: string): Promise<boolean>;
}

/** What {@link LogStore.append} did. */
export interface AppendResult {
  /** The entry's offset: consecutive from 1 within an epoch. */
  readonly offset: number;
  readonly epoch: string;
  /** True when `id` was seen within the dedup window: nothing was written, `offset` is the first copy's. */
  readonly duplicate: boolean;
}

/** One entry of a stream. */
export interface LogEntry {
  readonly offset: number;
  readonly payload: string;
  /** The id given to append (dedup key), or undefined. */
  readonly id: string | undefined;
  /** Milliseconds since the epoch, when the engine stored it. */
  readonly time: number;
}

/** A slice of a stream with what is needed to tell whether history is complete. */
export interface LogRead {
  /**
   * Identifies the stream's history: it changes when the engine lost the stream (a restart
   * without persistence, or every entry expired and the stream was forgotten). Offsets from
   * another epoch mean nothing. Empty when the stream does not exist.
   */
  readonly epoch: string;
  /** Offset of the last entry ever appended in this epoch (0: none). */
  readonly last: number;
  /** Offset of the oldest retained entry (last + 1 when none is retained). */
  readonly first: number;
  /** Entries with offset > `after`, oldest first, at most `limit`. */
  readonly entries: readonly LogEntry[];
}

/** An entry handed to a consumer group member; it must be acked or it comes back. */
export interface Delivery extends LogEntry {
  /** 1 on first delivery, then counts redeliveries. */
  readonly deliveries: number;
  /** Engine-specific handle for {@link LogStore.ack}; opaque to callers. */
  readonly token: string;
}

/** How a consumer group reads. */
export interface ConsumeOptions {
  /** At most this many deliveries per call. */
  readonly max: number;
  /** An unacked delivery is handed out again this long after it was handed out. */
  readonly ackWaitMs: number;
}

/**
 * Streams are named like keys. Retention (the engine's options) drops entries older than
 * `maxAgeMs` and beyond the newest `maxLen`.
 */
export interface LogStore {
  append(stream: string, payload: string, id?: string): Promise<AppendResult>;
  /** Entries after offset `after` (0: from the oldest retained). */
  read(stream: string, after: number, limit: number): Promise<LogRead>;
  /**
   * Hands out entries to `group` (created on first use, reading from the oldest retained
   * entry): first those whose ack wait ran out (redeliveries), then new ones. Returns at once,
   * possibly with none. Each entry goes to one member of the group at a time.
   */
  consume(stream: string, group: string, options: ConsumeOptions): Promise<Delivery[]>;
  /**
   * Marks a delivery done for its group. Idempotent: acking twice is harmless. Only the
   * delivery's token is read, and it may come from a client (the queues' HTTP API): a token
   * not of the engine's form, or (NATS, whose token is a subject) naming another stream or
   * group, throws INVALID_ARGUMENT; a token can only ever touch `stream`'s entries.
   */
  ack(stream: string, group: string, delivery: DeliveryHandle): Promise<void>;
  /**
   * Gives a delivery back unacked: it is handed out again (its `deliveries` counting one
   * more) once `delayMs` have passed, at once with 0, instead of after the ack wait. A
   * delivery already acked is left alone. Tokens are checked as by ack.
   */
  nack(stream: string, group: string, delivery: DeliveryHandle, delayMs: number): Promise<void>;
  /**
   * How far `group` is behind (for queue depth): entries not yet handed out to it, and
   * entries handed out and not acked (due again or not). A group that never consumed has
   * every retained entry as backlog; approximate while entries expire by age.
   */
  groupInfo(stream: string, group: string): Promise<GroupInfo>;
}

/** What {@link LogStore.groupInfo} tells. */
export interface GroupInfo {
  readonly backlog: number;
  readonly pending: number;
}

/** What {@link LogStore.ack} and {@link LogStore.nack} read of a delivery. */
export type DeliveryHandle = Pick<Delivery, 'token'>;

/**
 * Keyed records that never expire (the registry, webhook endpoints' state, dead letters):
 * {@link KvStore}'s versions and compare-and-set, without a time-to-live, and listable by
 * prefix. Kept apart from the KV store because the NATS engine's KV bucket has a max age.
 */
export interface RecordStore {
  get(key: string): Promise<KvEntry | undefined>;
  /** Writes unconditionally; resolves to the new version. */
  set(key: string, value: string): Promise<number>;
  /** Writes only when the current version is `expectedVersion` (0: only when absent). */
  compareAndSet(key: string, value: string, expectedVersion: number): Promise<CasResult>;
  /**
   * Removes the record; with `expectedVersion`, only when it is still that version.
   * Resolves to true when a record was removed.
   */
  delete(key: string, expectedVersion?: number): Promise<boolean>;
  /**
   * Keys under `prefix` (whole tokens: `registry.apps` lists `registry.apps.todo`, not
   * `registry.appsx`), sorted, at most `limit` (default 10,000).
   */
  list(prefix: string, limit?: number): Promise<string[]>;
}

/** Called for each message on a channel this process subscribed to. */
export type PubSubHandler = (payload: string) => void;

/** Fan-out between processes: at most once, in publish order per publisher; no history. */
export interface PubSub {
  publish(channel: string, payload: string): Promise<void>;
  /** Resolves once messages published after it are delivered; resolves to the unsubscriber. */
  subscribe(channel: string, handler: PubSubHandler): Promise<() => Promise<void>>;
}

/** Whether the engine answers, for /healthz. */
export type EngineHealth = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** A connected engine. */
export interface Engine {
  readonly name: EngineName;
  readonly kv: KvStore;
  readonly records: RecordStore;
  readonly log: LogStore;
  readonly pubsub: PubSub;
  /** Round trip to the backing service (or the database file); never throws. */
  health(): Promise<EngineHealth>;
  /** Closes connections and handles; pending calls reject. */
  close(): Promise<void>;
}

/** Stream retention, the same for every stream of an engine. */
export interface Retention {
  readonly maxAgeMs: number;
  readonly maxLen: number;
}

/** Options every engine takes. */
export interface EngineOptions {
  /**
   * Prefix of every key, stream and channel the engine touches ([A-Za-z0-9_-]), so that
   * several deployments (or test runs) share one Redis or NATS without meeting.
   */
  readonly namespace?: string;
  readonly retention?: Partial<Retention>;
  /** How long a message id is remembered for dedup. */
  readonly dedupWindowMs?: number;
}

/** The seed's figures: 24 h or 10,000 events per stream; a dedup window like JetStream's. */
export const DEFAULT_RETENTION: Retention = { maxAgeMs: 24 * 60 * 60 * 1000, maxLen: 10_000 };
export const DEFAULT_DEDUP_WINDOW_MS = 2 * 60 * 1000;
export const DEFAULT_NAMESPACE = 'mc';
