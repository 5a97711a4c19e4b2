import { IdbConnection } from '../shared/idb-connection.ts';
import { parseCanvasState, type CanvasState } from './canvas-state.ts';
import type { CanvasStore } from './canvas-store.ts';
import { TabChannel } from './tab-channel.ts';

/** How long a saved canvas lives without being saved again. */
export const CANVAS_TTL_MS = 30 * 24 * 60 * 60 * 1000;

/** Options of an {@link IndexedDbStore}. */
export interface IndexedDbStoreOptions {
  /** The database name (one object store inside); default `microcanvas`. */
  dbName?: string;
  /** Lifetime of a save; an older one loads as nothing and is deleted. Default 30 days. */
  ttlMs?: number;
  /** The clock, for tests. */
  now?: () => number;
}

interface Row {
  id: string;
  state: CanvasState;
  expiresAt: number;
}

const OBJECT_STORE = 'canvases';

/**
 * The default {@link CanvasStore}: IndexedDB in this origin, each save with an expiry, and
 * a {@link TabChannel} that tells the other tabs of this origin about each save (so one
 * canvas open in two tabs stays in sync without a server).
 */
export class IndexedDbStore implements CanvasStore {
  readonly #ttlMs: number;
  readonly #now: () => number;
  readonly #db: IdbConnection;
  /** Tells the other tabs of this origin about each save. */
  readonly #tabs: TabChannel;

  constructor(options: IndexedDbStoreOptions = {}) {
    const dbName = options.dbName ?? 'microcanvas';
    this.#db = new IdbConnection(dbName, (db) =>
      db.createObjectStore(OBJECT_STORE, { keyPath: 'id' }),
    );
    this.#ttlMs = options.ttlMs ?? CANVAS_TTL_MS;
    this.#now = options.now ?? Date.now;
    this.#tabs = new TabChannel(`microcanvas-store:${dbName}`);
  }

  async load(id: string): Promise<CanvasState | undefined> {
    const db = await this.#db.get();
    const row = (await db.get(OBJECT_STORE, id)) as Row | undefined;
    if (!row) return undefined;
    if (typeof row.expiresAt !== 'number' || row.expiresAt <= this.#now()) {
      await db.delete(OBJECT_STORE, id);
      return undefined;
    }
    return parseCanvasState(row.state);
  }

  async save(id: string, state: CanvasState): Promise<void> {
    const row: Row = { id, state, expiresAt: this.#now() + this.#ttlMs };
    // Resolves once the transaction is complete, not just the request.
    await (await this.#db.get()).put(OBJECT_STORE, row);
    await this.#tabs.save(id, state);
  }

  subscribe(id: string, listener: (state: CanvasState) => void): () => void {
    return this.#tabs.subscribe(id, listener);
  }

  /** Closes the database and the channel. */
  close(): void {
    this.#tabs.close();
    void this.#db.close();
  }
}
