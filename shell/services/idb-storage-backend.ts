import { LazyDatabase } from '../store/idb-open.ts';
import type { StorageBackend } from './storage-backend.ts';

const STORE = 'values';

/**
 * A backend in the host page's IndexedDB (the host's origin, not the widgets': sandboxed
 * frames have no storage). One object store keyed by `[appId, key]`, so one app's entries
 * are a key range.
 */
export class IndexedDbStorageBackend implements StorageBackend {
  readonly #db: LazyDatabase;

  constructor(name = 'microcanvas-storage') {
    this.#db = new LazyDatabase(name, (db) => db.createObjectStore(STORE));
  }

  async entries(appId: string): Promise<Array<[string, string]>> {
    const store = await this.#store('readonly');
    const range = IDBKeyRange.bound([appId, ''], [appId, '\uffff']);
    const [keys, values] = await Promise.all([
      request(store.getAllKeys(range)),
      request(store.getAll(range)),
    ]);
    return keys.map((k, i) => [(k as [string, string])[1], String(values[i])]);
  }

  async get(appId: string, key: string): Promise<string | undefined> {
    const value = await request((await this.#store('readonly')).get([appId, key]));
    return typeof value === 'string' ? value : undefined;
  }

  async set(appId: string, key: string, value: string): Promise<void> {
    await request((await this.#store('readwrite')).put(value, [appId, key]));
  }

  async remove(appId: string, key: string): Promise<void> {
    await request((await this.#store('readwrite')).delete([appId, key]));
  }

  /** Closes the database (tests delete it afterwards). */
  close(): Promise<void> {
    return this.#db.close();
  }

  async #store(mode: IDBTransactionMode): Promise<IDBObjectStore> {
    return (await this.#db.get()).transaction(STORE, mode).objectStore(STORE);
  }
}

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'));
  });
}
