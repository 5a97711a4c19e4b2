import { McError } from '../../sdk/protocol/index.ts';
import { lazy } from '../shared/lazy.ts';
import type { IdbStorageStore } from './idb-storage-store.ts';
import type { StorageBackend } from './storage-backend.ts';

// The IndexedDB code (the store and its connection) is not in the page's start-up bundle
// (docs/decisions/0012-performance.md): it loads with the first storage call.
const loadStore = lazy(() => import('./idb-storage-store.ts').then((m) => m.IdbStorageStore));

/**
 * How long loading the IndexedDB code may take; the connection's own deadline (opening the
 * database, loading idb) starts after it.
 */
const LOAD_TIMEOUT_MS = 5000;

/**
 * A backend in the host page's IndexedDB (the host's origin, not the widgets': sandboxed
 * frames have no storage). One object store keyed by `[appId, key]`, so one app's entries
 * are a key range. The database is opened on first use; an open that fails or stalls
 * rejects with `STORAGE_UNAVAILABLE` and the next call tries again.
 */
export class IndexedDbStorageBackend implements StorageBackend {
  readonly #name: string;
  #store: Promise<IdbStorageStore> | undefined;

  constructor(name = 'microcanvas-storage') {
    this.#name = name;
  }

  async entries(appId: string): Promise<Array<[string, string]>> {
    return (await this.#open()).entries(appId);
  }

  async get(appId: string, key: string): Promise<string | undefined> {
    return (await this.#open()).get(appId, key);
  }

  async set(appId: string, key: string, value: string): Promise<void> {
    return (await this.#open()).set(appId, key, value);
  }

  async remove(appId: string, key: string): Promise<void> {
    return (await this.#open()).remove(appId, key);
  }

  /** Closes the database (tests delete it afterwards). */
  async close(): Promise<void> {
    const store = this.#store;
    this.#store = undefined;
    await store?.then(
      (s) => s.close(),
      () => undefined,
    );
  }

  #open(): Promise<IdbStorageStore> {
    if (!this.#store) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`not loaded within ${LOAD_TIMEOUT_MS} ms`)),
          LOAD_TIMEOUT_MS,
        );
      });
      const opening = Promise.race([loadStore(), late]).then(
        (Store) => new Store(this.#name),
        (error: unknown) => {
          // A chunk that did not arrive is as unavailable as a database that does not open.
          if (this.#store === opening) this.#store = undefined;
          const why = error instanceof Error ? error.message : 'did not load';
          throw new McError('STORAGE_UNAVAILABLE', `IndexedDB "${this.#name}": ${why}`);
        },
      );
      void opening.finally(() => clearTimeout(timer)).catch(() => undefined);
      this.#store = opening;
    }
    return this.#store;
  }
}
