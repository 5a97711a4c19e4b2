import { IdbConnection } from '../shared/idb-connection.ts';
import type { StorageBackend } from './storage-backend.ts';

const STORE = 'values';

/**
 * What `IndexedDbStorageBackend` does, loaded with its first call (idb-storage-backend.ts):
 * values in the host page's IndexedDB (the host's origin, not the widgets': sandboxed
 * frames have no storage). One object store keyed by `[appId, key]`, so one app's entries
 * are a key range.
 */
export class IdbStorageStore implements StorageBackend {
  readonly #db: IdbConnection;

  constructor(name: string) {
    this.#db = new IdbConnection(name, (db) => db.createObjectStore(STORE));
  }

  async entries(appId: string): Promise<Array<[string, string]>> {
    const range = IDBKeyRange.bound([appId, ''], [appId, '\uffff']);
    // One transaction: keys and values of the same moment.
    const tx = (await this.#db.get()).transaction(STORE);
    const [keys, values] = await Promise.all([tx.store.getAllKeys(range), tx.store.getAll(range)]);
    return keys.map((k, i) => [(k as [string, string])[1], String(values[i])]);
  }

  async get(appId: string, key: string): Promise<string | undefined> {
    const value: unknown = await (await this.#db.get()).get(STORE, [appId, key]);
    return typeof value === 'string' ? value : undefined;
  }

  async set(appId: string, key: string, value: string): Promise<void> {
    await (await this.#db.get()).put(STORE, value, [appId, key]);
  }

  async remove(appId: string, key: string): Promise<void> {
    await (await this.#db.get()).delete(STORE, [appId, key]);
  }

  /** Closes the database (tests delete it afterwards). */
  close(): Promise<void> {
    return this.#db.close();
  }
}
