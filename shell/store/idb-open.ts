import { McError } from '../../sdk/protocol/index.ts';

/**
 * How long opening a database may take. An upgrade or a delete pending in another tab
 * blocks an open until every connection of that tab closes, which may be never.
 */
export const IDB_OPEN_TIMEOUT_MS = 5000;

/**
 * Opens version 1 of IndexedDB database `name`, creating its stores with `upgrade`.
 * Rejects with `STORAGE_UNAVAILABLE` when it fails or takes longer than `timeoutMs`.
 * When another tab asks to upgrade or delete the database, the connection is closed (so
 * this tab never blocks that tab) and `onClose` is called: open again on next use.
 */
export function openDatabase(
  name: string,
  upgrade: (db: IDBDatabase) => void,
  onClose: () => void,
  timeoutMs = IDB_OPEN_TIMEOUT_MS,
): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (message: string) => {
      settled = true;
      clearTimeout(timer);
      reject(new McError('STORAGE_UNAVAILABLE', `IndexedDB "${name}": ${message}`));
    };
    const timer = setTimeout(() => fail(`not open within ${timeoutMs} ms`), timeoutMs);
    let request: IDBOpenDBRequest;
    try {
      request = indexedDB.open(name, 1);
    } catch (error) {
      return fail(error instanceof Error ? error.message : String(error));
    }
    request.onupgradeneeded = () => upgrade(request.result);
    request.onerror = () => fail(request.error?.message ?? 'open failed');
    request.onsuccess = () => {
      const db = request.result;
      if (settled) return db.close();
      settled = true;
      clearTimeout(timer);
      db.onversionchange = () => {
        db.close();
        onClose();
      };
      resolve(db);
    };
  });
}

/**
 * One database, opened on first use and kept open; opened again on the next use after a
 * failed open, or after another tab's upgrade or delete closed it.
 */
export class LazyDatabase {
  #open: Promise<IDBDatabase> | undefined;

  constructor(
    readonly name: string,
    readonly upgrade: (db: IDBDatabase) => void,
  ) {}

  /** The open database; rejects with `STORAGE_UNAVAILABLE` (see {@link openDatabase}). */
  get(): Promise<IDBDatabase> {
    if (!this.#open) {
      const forget = () => {
        if (this.#open === opening) this.#open = undefined;
      };
      const opening = openDatabase(this.name, this.upgrade, forget);
      opening.catch(forget);
      this.#open = opening;
    }
    return this.#open;
  }

  /** Closes the connection, if one is open or opening. */
  async close(): Promise<void> {
    const opening = this.#open;
    this.#open = undefined;
    await opening?.then(
      (db) => db.close(),
      () => undefined,
    );
  }
}
