import type { IDBPDatabase } from 'idb';

import { McError } from '../../sdk/protocol/index.ts';

/**
 * How long opening a database may take. An upgrade or a delete pending in another tab
 * blocks an open until every connection of that tab closes, which may be never.
 */
export const IDB_OPEN_TIMEOUT_MS = 5000;

/**
 * One IndexedDB database (version 1) of this origin, through the `idb` library, which is
 * loaded on first use (pages that never store anything do not download it). The policy is
 * ours: the connection is opened on first use and kept; an open that fails or takes longer
 * than `timeoutMs` rejects with `STORAGE_UNAVAILABLE` and the next use tries again; when
 * another tab asks to upgrade or delete the database, the connection is closed (this tab
 * never blocks that tab) and the next use opens a new one. The canvas store and the storage
 * service both use it, so neither imports the other's folder.
 */
export class IdbConnection {
  #open: Promise<IDBPDatabase> | undefined;

  /** @param upgrade creates the stores, when the database is new. */
  constructor(
    readonly name: string,
    readonly upgrade: (db: IDBPDatabase) => void,
    readonly timeoutMs = IDB_OPEN_TIMEOUT_MS,
  ) {}

  /** The open database; rejects with `STORAGE_UNAVAILABLE` (see above). */
  get(): Promise<IDBPDatabase> {
    if (!this.#open) {
      const forget = () => {
        if (this.#open === opening) this.#open = undefined;
      };
      const opening = this.#connect(forget);
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

  async #connect(forget: () => void): Promise<IDBPDatabase> {
    const fail = (message: string) =>
      new McError('STORAGE_UNAVAILABLE', `IndexedDB "${this.name}": ${message}`);
    // The deadline covers loading idb too: a chunk that stalls is as unavailable as a
    // database that does not open.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(fail(`not open within ${this.timeoutMs} ms`)),
        this.timeoutMs,
      );
    });
    let openDB: typeof import('idb').openDB;
    try {
      ({ openDB } = await Promise.race([import('idb'), late]));
    } catch (error) {
      clearTimeout(timer);
      throw error instanceof McError ? error : fail('idb did not load');
    }
    let opening: Promise<IDBPDatabase>;
    try {
      opening = openDB(this.name, 1, {
        upgrade: (db) => this.upgrade(db),
        blocking: (_current, _blocked, event) => {
          (event.target as IDBDatabase).close();
          forget();
        },
        terminated: forget,
      });
    } catch (error) {
      clearTimeout(timer);
      // indexedDB.open itself throws where storage is denied (an opaque origin).
      throw fail(error instanceof Error ? error.message : String(error));
    }
    try {
      return await Promise.race([
        opening.catch((error: unknown) => {
          throw fail(error instanceof Error ? error.message : 'open failed');
        }),
        late,
      ]);
    } catch (error) {
      // Opened after all, once given up on: closed, so that it blocks nobody.
      opening.then(
        (db) => db.close(),
        () => undefined,
      );
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }
}
