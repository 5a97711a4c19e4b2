import {
  checkBounds,
  DEFAULT_STORAGE_QUOTA_BYTES,
  MAX_STORAGE_KEY,
  McError,
} from '../../sdk/protocol/index.ts';
import type { StorageBackend } from './storage-backend.ts';

/** Deepest nesting and most nodes of one stored value. */
const MAX_VALUE_DEPTH = 32;
const MAX_VALUE_NODES = 10_000;

interface AppStore {
  /** Serialized size of each key plus its value. */
  sizes: Map<string, number>;
  used: number;
}

/**
 * Per-app key/value storage with a quota, kept by the host for widgets (their sandboxed
 * frames have no storage of their own). Values are JSON; a key's cost is its length plus
 * its serialized value's. Operations of one app run one after another, so two concurrent
 * writes cannot both fit under the quota by racing.
 */
export class StorageService {
  readonly #backend: StorageBackend;
  readonly #apps = new Map<string, Promise<AppStore>>();
  readonly #queues = new Map<string, Promise<unknown>>();

  constructor(backend: StorageBackend) {
    this.#backend = backend;
  }

  /** The stored value of `key`, or `null` when there is none. */
  get(appId: string, key: unknown): Promise<unknown> {
    const k = parseStorageKey(key);
    return this.#run(appId, async () => {
      const json = await this.#backend.get(appId, k);
      return json === undefined ? null : (JSON.parse(json) as unknown);
    });
  }

  /** The stored JSON text of `key`, or `null` (what widgets receive; they parse it). */
  getJson(appId: string, key: unknown): Promise<string | null> {
    const k = parseStorageKey(key);
    return this.#run(appId, async () => (await this.#backend.get(appId, k)) ?? null);
  }

  /**
   * Stores a value a widget sent as JSON text. The text's length is checked against the quota
   * before anything is parsed, so an oversized value costs the host a length read.
   */
  setJson(appId: string, key: unknown, json: unknown, quota = DEFAULT_STORAGE_QUOTA_BYTES) {
    const k = parseStorageKey(key);
    if (typeof json !== 'string') throw new McError('INVALID_ARGUMENT', 'value must be JSON text');
    if (k.length + json.length > quota) {
      throw new McError('QUOTA_EXCEEDED', `${k.length + json.length} > ${quota} bytes`);
    }
    let value: unknown;
    try {
      value = JSON.parse(json);
    } catch {
      throw new McError('INVALID_ARGUMENT', 'value must be JSON text');
    }
    return this.set(appId, k, value, quota);
  }

  /** Stores `value` (JSON) under `key`; `QUOTA_EXCEEDED` when the app would go over `quota`. */
  set(appId: string, key: unknown, value: unknown, quota = DEFAULT_STORAGE_QUOTA_BYTES) {
    const k = parseStorageKey(key);
    if (value === undefined || checkBounds(value, MAX_VALUE_DEPTH, MAX_VALUE_NODES) !== null) {
      throw new McError('INVALID_ARGUMENT', 'value must be bounded JSON');
    }
    const json = JSON.stringify(value);
    const cost = k.length + json.length;
    if (cost > quota) throw new McError('QUOTA_EXCEEDED', `${cost} > ${quota} bytes`);
    return this.#run(appId, async () => {
      const store = await this.#store(appId);
      const used = store.used - (store.sizes.get(k) ?? 0) + cost;
      if (used > quota) throw new McError('QUOTA_EXCEEDED', `${used} > ${quota} bytes`);
      await this.#backend.set(appId, k, json);
      store.sizes.set(k, cost);
      store.used = used;
    });
  }

  /** Removes `key` (no error when absent). */
  remove(appId: string, key: unknown): Promise<void> {
    const k = parseStorageKey(key);
    return this.#run(appId, async () => {
      const store = await this.#store(appId);
      await this.#backend.remove(appId, k);
      store.used -= store.sizes.get(k) ?? 0;
      store.sizes.delete(k);
    });
  }

  /** The app's keys. */
  keys(appId: string): Promise<string[]> {
    return this.#run(appId, async () => [...(await this.#store(appId)).sizes.keys()]);
  }

  /** Bytes the app uses against its quota. */
  usage(appId: string): Promise<number> {
    return this.#run(appId, async () => (await this.#store(appId)).used);
  }

  #store(appId: string): Promise<AppStore> {
    let store = this.#apps.get(appId);
    if (!store) {
      store = this.#backend.entries(appId).then((entries) => {
        const sizes = new Map(entries.map(([k, v]) => [k, k.length + v.length]));
        let used = 0;
        for (const size of sizes.values()) used += size;
        return { sizes, used };
      });
      this.#apps.set(appId, store);
      // A failed load must not stick: the next call tries again.
      store.catch(() => this.#apps.delete(appId));
    }
    return store;
  }

  #run<T>(appId: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#queues.get(appId) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.catch(() => undefined);
    this.#queues.set(appId, tail);
    void tail.then(() => {
      if (this.#queues.get(appId) === tail) this.#queues.delete(appId);
    });
    return result;
  }
}

/**
 * A storage key, or `INVALID_ARGUMENT`: `StorageKeySchema` written out (1–128 printable
 * ASCII characters), so that no zod is needed for it; a test pins the two to each other.
 */
export function parseStorageKey(key: unknown): string {
  if (
    typeof key !== 'string' ||
    key.length < 1 ||
    key.length > MAX_STORAGE_KEY ||
    !/^[\x20-\x7e]+$/.test(key)
  ) {
    throw new McError('INVALID_ARGUMENT', 'key must be 1–128 printable ASCII');
  }
  return key;
}
