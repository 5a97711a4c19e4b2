/**
 * Where the host keeps widgets' stored values. Values arrive here already validated and
 * serialized (JSON strings), keyed by app id and key; quotas are the service's business.
 */
export interface StorageBackend {
  /** Every key and serialized value of one app. */
  entries(appId: string): Promise<Array<[key: string, value: string]>>;
  /** One serialized value, or undefined. */
  get(appId: string, key: string): Promise<string | undefined>;
  set(appId: string, key: string, value: string): Promise<void>;
  remove(appId: string, key: string): Promise<void>;
}

/** The default backend: a `Map` per app, gone with the page. */
export class MemoryStorageBackend implements StorageBackend {
  readonly #apps = new Map<string, Map<string, string>>();

  entries(appId: string): Promise<Array<[string, string]>> {
    return Promise.resolve([...(this.#apps.get(appId) ?? [])]);
  }

  get(appId: string, key: string): Promise<string | undefined> {
    return Promise.resolve(this.#apps.get(appId)?.get(key));
  }

  set(appId: string, key: string, value: string): Promise<void> {
    let app = this.#apps.get(appId);
    if (!app) this.#apps.set(appId, (app = new Map()));
    app.set(key, value);
    return Promise.resolve();
  }

  remove(appId: string, key: string): Promise<void> {
    this.#apps.get(appId)?.delete(key);
    return Promise.resolve();
  }
}
