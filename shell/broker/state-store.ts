import type { StateSnapshot } from '../../sdk/protocol/index.ts';

interface Entry {
  version: number;
  value: unknown;
}

/**
 * Each app's public state: one JSON value and a version that only goes up. Values are
 * parsed from JSON by the broker and never handed out by reference (every reader gets its
 * own serialized copy), so no reader can mutate another's view.
 */
export class StateStore {
  readonly #entries = new Map<string, Entry>();

  set(appId: string, value: unknown): StateSnapshot {
    const version = (this.#entries.get(appId)?.version ?? 0) + 1;
    this.#entries.set(appId, { version, value });
    return { app: appId, version, value };
  }

  /** Puts back a snapshot the host kept (after a broker restart), unless ours is newer. */
  restore(snapshot: StateSnapshot): void {
    const current = this.#entries.get(snapshot.app);
    if (current && current.version >= snapshot.version) return;
    this.#entries.set(snapshot.app, { version: snapshot.version, value: snapshot.value });
  }

  get(appId: string): StateSnapshot {
    const entry = this.#entries.get(appId);
    return { app: appId, version: entry?.version ?? 0, value: entry?.value ?? null };
  }

  /** Every app's current state, for the host's store and for rebuilding after a restart. */
  all(): StateSnapshot[] {
    return [...this.#entries].map(([app, e]) => ({ app, version: e.version, value: e.value }));
  }
}
