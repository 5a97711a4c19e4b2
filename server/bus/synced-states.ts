import { McError } from '../../sdk/protocol/errors.ts';
import { MAX_SYNCED_STATES, type SyncedState } from '../../sdk/protocol/server-wire.ts';
import type { KvStore } from '../engine/index.ts';

/** Most compare-and-set attempts of one state write before CONFLICT. */
const CAS_ATTEMPTS = 8;
/**
 * Most bytes (JSON text) of a space's states together: one KV value, under the smallest
 * engine's value limit (NATS: 1 MiB per message) and sent whole in `resumed`.
 */
export const MAX_SYNCED_STATES_BYTES = 512 * 1024;

/** What a space keeps per app: its latest public state and where it sits in the stream. */
type Stored = Record<string, { data: string; epoch: string; offset: number }>;

/**
 * The latest public state of each app of a space (manifest `sync.state`), in one KV value:
 * what a follower whose history is lost (`recovered: false`) or new gets instead of the
 * events. Kept as long as the space (sliding TTL); at most {@link MAX_SYNCED_STATES} apps.
 */
export class SyncedStates {
  readonly #kv: KvStore;

  constructor(kv: KvStore) {
    this.#kv = kv;
  }

  /** Every app's state in `stream`, oldest write first. */
  async all(stream: string): Promise<SyncedState[]> {
    const stored = await this.#read(stream);
    return Object.entries(stored.value)
      .sort(([, a], [, b]) => a.offset - b.offset)
      .map(([app, { data }]) => ({ app, data }));
  }

  /**
   * Refuses a state of a new app when the space already keeps the most it may, and one that
   * would take the space's states past {@link MAX_SYNCED_STATES_BYTES}.
   */
  async admit(stream: string, app: string, data: string): Promise<void> {
    const { value } = await this.#read(stream);
    if (!(app in value) && Object.keys(value).length >= MAX_SYNCED_STATES) {
      throw new McError('QUOTA_EXCEEDED', `at most ${MAX_SYNCED_STATES} synced states per space`);
    }
    let bytes = data.length;
    for (const [other, state] of Object.entries(value)) {
      if (other !== app) bytes += state.data.length;
    }
    if (bytes > MAX_SYNCED_STATES_BYTES) {
      throw new McError('QUOTA_EXCEEDED', `a space's synced states total at most 512 KiB`);
    }
  }

  /** Records `app`'s state stored at `offset`, unless a later one is already there. */
  async put(
    stream: string,
    app: string,
    state: { data: string; epoch: string; offset: number },
    ttlMs: number,
  ): Promise<void> {
    for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
      const { value, version } = await this.#read(stream);
      const current = value[app];
      if (current && current.epoch === state.epoch && current.offset >= state.offset) return;
      const next: Stored = Object.assign(Object.create(null) as Stored, value, { [app]: state });
      const result = await this.#kv.compareAndSet(
        keyOf(stream),
        JSON.stringify(next),
        version,
        ttlMs,
      );
      if (result.ok) return;
    }
    throw new McError('CONFLICT', 'public state: too many concurrent writes');
  }

  async #read(stream: string): Promise<{ value: Stored; version: number }> {
    const entry = await this.#kv.get(keyOf(stream));
    // A null-prototype copy: app ids come from clients (`__proto__` is not an app id, but
    // the store does not rely on that).
    const value = Object.create(null) as Stored;
    if (entry !== undefined) Object.assign(value, JSON.parse(entry.value) as Stored);
    return { value, version: entry?.version ?? 0 };
  }
}

function keyOf(stream: string): string {
  return `${stream}.states`;
}
