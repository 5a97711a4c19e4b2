import { IdbConnection } from '../shared/idb-connection.ts';

/** Where a {@link CanvasRemote} keeps each space's replica (server slots and unsent edits). */
export interface ReplicaStore {
  load(key: string): Promise<unknown>;
  save(key: string, data: unknown): Promise<void>;
  /** The keys that start with `prefix`. */
  keys(prefix: string): Promise<string[]>;
  delete(key: string): Promise<void>;
}

const OBJECT_STORE = 'replicas';

/**
 * The default {@link ReplicaStore}: one IndexedDB database of this origin (`microcanvas-sync`,
 * apart from the canvas store's, so neither schema waits for the other's upgrade), one row
 * per key. Edits made offline survive a reload here until the server acknowledges them.
 */
export class IdbReplicaStore implements ReplicaStore {
  readonly #db: IdbConnection;

  constructor(dbName = 'microcanvas-sync') {
    this.#db = new IdbConnection(dbName, (db) =>
      db.createObjectStore(OBJECT_STORE, { keyPath: 'key' }),
    );
  }

  async load(key: string): Promise<unknown> {
    const row = (await (await this.#db.get()).get(OBJECT_STORE, key)) as
      { data?: unknown } | undefined;
    return row?.data;
  }

  async save(key: string, data: unknown): Promise<void> {
    await (await this.#db.get()).put(OBJECT_STORE, { key, data });
  }

  async keys(prefix: string): Promise<string[]> {
    const range = IDBKeyRange.bound(prefix, `${prefix}\uffff`);
    const keys = await (await this.#db.get()).getAllKeys(OBJECT_STORE, range);
    return keys.filter((key): key is string => typeof key === 'string');
  }

  async delete(key: string): Promise<void> {
    await (await this.#db.get()).delete(OBJECT_STORE, key);
  }

  /** Closes the database. */
  close(): void {
    void this.#db.close();
  }
}

/** A {@link ReplicaStore} in memory: for tests, and pages that must not write to disk. */
export class MemoryReplicaStore implements ReplicaStore {
  readonly rows = new Map<string, unknown>();

  load(key: string): Promise<unknown> {
    return Promise.resolve(structuredClone(this.rows.get(key)));
  }

  save(key: string, data: unknown): Promise<void> {
    this.rows.set(key, structuredClone(data));
    return Promise.resolve();
  }

  keys(prefix: string): Promise<string[]> {
    return Promise.resolve([...this.rows.keys()].filter((key) => key.startsWith(prefix)));
  }

  delete(key: string): Promise<void> {
    this.rows.delete(key);
    return Promise.resolve();
  }
}
