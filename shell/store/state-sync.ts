import type { Host } from '../host/host.ts';
import { CanvasSync } from './canvas-sync.ts';
import { TabChannel } from './tab-channel.ts';

/** Options of a {@link StateSync}. */
export interface StateSyncOptions {
  /** The apps whose public state is kept in sync. */
  apps: readonly string[];
  /** The canvas's key: tabs sync with tabs of the same key only. Default `default`. */
  id?: string;
}

/**
 * Keeps the public state of chosen apps equal across the tabs of one origin, with no server
 * and no storage: a {@link CanvasSync} of those states over a {@link TabChannel}. Each tab
 * has its own broker and its own widgets; a state a widget sets here reaches every other
 * tab's broker (`Host.adoptState`, size- and bounds-checked there), where its readers see
 * it. The same rule as the rest of the canvas: per app, the latest `(at, tab)` wins. A tab
 * that opens later gets the current values from the others.
 */
export class StateSync {
  readonly #tabs: TabChannel;
  readonly #sync: CanvasSync;

  constructor(host: Host, options: StateSyncOptions) {
    const id = options.id ?? 'default';
    this.#tabs = new TabChannel(`microcanvas-state:${id}`);
    this.#sync = new CanvasSync({ host }, { store: this.#tabs, id, states: options.apps });
    void this.#sync.start();
  }

  /** This tab's id, the tie-breaker of concurrent updates. */
  get tab(): string {
    return this.#sync.tab;
  }

  /** Stops syncing. */
  close(): void {
    this.#sync.stop();
    this.#tabs.close();
  }
}
