import type { StateVersion, Subscription } from '../../../sdk/client.ts';
import type { Manifest } from '../../../sdk/protocol/index.ts';
import type { SyncHost } from '../../../shell/store/canvas-sync.ts';

/**
 * A host as a syncer sees it, without a broker: registered app names, and public states
 * that widgets (`set`) or other copies (`adoptState`) write, told to watchers a microtask
 * later, as the broker's are.
 */
export class FakeSyncHost implements SyncHost {
  readonly #apps: Set<string>;
  readonly #states = new Map<string, StateVersion>();
  readonly #watchers = new Set<{ app: string; handler: (state: StateVersion) => void }>();
  /** Every value adopted from another copy, in order. */
  readonly adopted: Array<[string, string]> = [];

  constructor(apps: readonly string[] = ['alpha', 'beta']) {
    this.#apps = new Set(apps);
  }

  manifest(appId: string): Manifest | undefined {
    return this.#apps.has(appId) ? ({ id: appId, name: appId } as Manifest) : undefined;
  }

  destroy(): void {}

  /** A widget of `app` sets its public state. */
  set(app: string, value: unknown): void {
    const version = (this.#states.get(app)?.version ?? 0) + 1;
    const state = { app, version, value } as StateVersion;
    this.#states.set(app, state);
    queueMicrotask(() => {
      for (const w of [...this.#watchers]) if (w.app === app) w.handler(state);
    });
  }

  /** The current value of `app`'s state. */
  value(app: string): unknown {
    return this.#states.get(app)?.value;
  }

  adoptState(appId: string, json: string): Promise<boolean> {
    if (!this.#apps.has(appId)) return Promise.resolve(false);
    this.adopted.push([appId, json]);
    this.set(appId, JSON.parse(json));
    return Promise.resolve(true);
  }

  readonly state = {
    get: <T = unknown>(app: string): Promise<StateVersion<T>> =>
      Promise.resolve(
        (this.#states.get(app) ?? { app, version: 0, value: null }) as StateVersion<T>,
      ),
    watch: <T = unknown>(app: string, handler: (state: StateVersion<T>) => void): Subscription => {
      const entry = { app, handler: handler as (state: StateVersion) => void };
      this.#watchers.add(entry);
      const stop = () => void this.#watchers.delete(entry);
      return Object.assign(stop, { ready: Promise.resolve() });
    },
  };
}
