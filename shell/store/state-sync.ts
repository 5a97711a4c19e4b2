import type { StateVersion, Subscription } from '../../sdk/client.ts';
import { MAX_MESSAGE_BYTES } from '../../sdk/protocol/index.ts';
import type { Host } from '../host/host.ts';

/** Options of a {@link StateSync}. */
export interface StateSyncOptions {
  /** The apps whose public state is kept in sync. */
  apps: readonly string[];
  /** The canvas's key: tabs sync with tabs of the same key only. Default `default`. */
  id?: string;
}

/** One app's state as it travels between tabs. */
interface Stamped {
  app: string;
  json: string;
  at: number;
  tab: string;
}

/**
 * Keeps the public state of chosen apps equal across the tabs of one origin, with no
 * server: each tab has its own broker and its own widgets, so when a widget sets its state
 * here, the value is sent over a BroadcastChannel and every other tab puts it into its
 * broker (`Host.adoptState`, size- and bounds-checked there), where its readers see it.
 * Concurrent updates of one app: the latest `(at, tab)` wins in every tab. A new tab asks
 * the others for their current values when it starts.
 */
export class StateSync {
  /** This tab's id, the tie-breaker of concurrent updates. */
  readonly tab = crypto.randomUUID();
  readonly #host: Host;
  readonly #apps: ReadonlySet<string>;
  readonly #channel: BroadcastChannel | undefined;
  /** The winning value of each app, as far as this tab knows. */
  readonly #latest = new Map<string, Stamped>();
  readonly #watches: Subscription[] = [];

  constructor(host: Host, options: StateSyncOptions) {
    this.#host = host;
    this.#apps = new Set(options.apps);
    this.#channel =
      typeof BroadcastChannel === 'function'
        ? new BroadcastChannel(`microcanvas-state:${options.id ?? 'default'}`)
        : undefined;
    this.#channel?.addEventListener('message', this.#onMessage);
    for (const app of this.#apps) this.#watches.push(host.state.watch(app, this.#onLocal));
    this.#channel?.postMessage({ type: 'hello' });
  }

  /** Stops syncing. */
  close(): void {
    for (const stop of this.#watches.splice(0)) stop();
    this.#channel?.removeEventListener('message', this.#onMessage);
    this.#channel?.close();
  }

  #onLocal = (state: StateVersion): void => {
    if (state.version === 0) return;
    const json = JSON.stringify(state.value);
    // The echo of a value this tab adopted from another: not a new update.
    if (this.#latest.get(state.app)?.json === json) return;
    const previous = this.#latest.get(state.app)?.at ?? 0;
    const stamped = { app: state.app, json, at: Math.max(Date.now(), previous + 1), tab: this.tab };
    this.#latest.set(state.app, stamped);
    this.#channel?.postMessage({ type: 'state', ...stamped });
  };

  #onMessage = (event: MessageEvent): void => {
    const data = event.data as Record<string, unknown> | null;
    if (typeof data !== 'object' || data === null) return;
    if (data.type === 'hello') {
      for (const stamped of this.#latest.values()) {
        this.#channel?.postMessage({ type: 'state', ...stamped });
      }
      return;
    }
    const { app, json, at, tab } = data;
    if (data.type !== 'state' || typeof app !== 'string' || !this.#apps.has(app)) return;
    if (typeof json !== 'string' || json.length > MAX_MESSAGE_BYTES) return;
    if (typeof at !== 'number' || !Number.isFinite(at) || typeof tab !== 'string') return;
    const current = this.#latest.get(app);
    if (current && (current.at > at || (current.at === at && current.tab >= tab))) return;
    this.#latest.set(app, { app, json, at, tab: tab.slice(0, 64) });
    // Refused or the broker is restarting: the next update from that tab brings it again.
    this.#host.adoptState(app, json).catch(() => undefined);
  };
}
