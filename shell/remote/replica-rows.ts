import type { ReplicaStore } from './replica-store.ts';

/** The part of the Web Locks API (`navigator.locks`) the rows use. */
export interface TabLocks {
  request(name: string, callback: () => Promise<void>): Promise<unknown>;
  query(): Promise<{ held?: Array<{ name?: string }> }>;
}

/** A row found at start that this tab takes over: a closed tab's, or the one-row layout's. */
export interface AdoptedRow {
  readonly key: string;
  readonly data: unknown;
}

const LOCK_PREFIX = 'microcanvas-replica:';

/**
 * The rows of one space in a {@link ReplicaStore}, one per tab, so that two tabs of one
 * browser that edit while offline never overwrite each other's unsent edits. Each tab holds a
 * Web Lock named after its row while it runs; at start it takes over the rows whose lock
 * nobody holds (tabs closed before their edits were sent), and those are deleted once its own
 * row, holding their edits, is saved. Without Web Locks every tab uses the one row named
 * after the space (a tab's save may then replace another's unsent edits).
 */
export class ReplicaRows {
  /** This tab's row. */
  readonly key: string;
  readonly #store: ReplicaStore;
  readonly #space: string;
  readonly #locks: TabLocks | undefined;
  #release: (() => void) | undefined;
  #adopted: string[] = [];

  constructor(store: ReplicaStore, space: string, locks: TabLocks | undefined) {
    this.#store = store;
    this.#space = space;
    this.#locks = locks;
    this.key = locks ? `${space}#${crypto.randomUUID()}` : space;
  }

  /** Takes this tab's lock, then reads the rows to take over (the space's own first). */
  async open(): Promise<AdoptedRow[]> {
    const locks = this.#locks;
    if (!locks) {
      const data = await this.#store.load(this.#space);
      return data === undefined ? [] : [{ key: this.#space, data }];
    }
    await new Promise<void>((granted) => {
      void locks.request(LOCK_PREFIX + this.key, () => {
        granted();
        return new Promise<void>((release) => (this.#release = release));
      });
    });
    const held = new Set(((await locks.query()).held ?? []).map((lock) => lock.name));
    const keys = [this.#space, ...(await this.#store.keys(`${this.#space}#`))];
    const rows: AdoptedRow[] = [];
    for (const key of keys) {
      if (key === this.key || held.has(LOCK_PREFIX + key)) continue;
      const data = await this.#store.load(key);
      if (data !== undefined) rows.push({ key, data });
    }
    this.#adopted = rows.map((row) => row.key);
    return rows;
  }

  /** Saves this tab's row; the first save also deletes the rows taken over (their edits are in it). */
  async save(data: unknown): Promise<void> {
    await this.#store.save(this.key, data);
    for (const key of this.#adopted.splice(0)) await this.#store.delete(key);
  }

  /** Releases this tab's lock: a later tab may take its row over. */
  close(): void {
    this.#release?.();
    this.#release = undefined;
  }
}
