import type { Logger } from 'pino';

import { McError } from '../../sdk/protocol/errors.ts';
import { AppEntrySchema, type AppEntry, type AppHealth } from '../../sdk/protocol/registry.ts';
import { APP_ID_RE } from '../../sdk/protocol/topics.ts';
import type { Engine } from '../engine/index.ts';
import { etagOf } from './etag.ts';
import type { RegistryReader, StoredApp } from './types.ts';

/** Channel on which every process hears of a registry change and drops its cache. */
export const REGISTRY_CHANGED = 'registry.changed';
const APPS = 'registry.apps';
const appKey = (id: string): string => `${APPS}.${id}`;
const heartbeatKey = (id: string): string => `registry.hb.${id}`;
const probeKey = (id: string): string => `registry.probe.${id}`;

/** What a change notice carries: the entry's new ETag (null: deleted), or a credential change. */
export interface RegistryChange {
  readonly id: string;
  readonly kind: 'entry' | 'credentials';
  readonly etag: string | null;
}

/** The outcome of a conditional write: the new ETag, or the current one (undefined: absent). */
export type WriteResult =
  | { readonly ok: true; readonly etag: string }
  | { readonly ok: false; readonly current: string | undefined };

/** The last probe of an app's health URL, as stored in the engine's KV. */
export interface ProbeResult {
  readonly ok: boolean;
  readonly at: number;
  /** The HTTP status, or why there was none. */
  readonly detail: string;
}

export interface RegistryConfig {
  /** How long a heartbeat counts. */
  readonly heartbeatTtlMs: number;
  /** The longest a process serves its cached catalog without hearing of a change. */
  readonly cacheMs: number;
}

/**
 * The app catalog on the engine's records (`registry.apps.<id>`), with optimistic
 * concurrency: an entry's ETag is its record's version, and every write names the version it
 * read (or 0 to create). Reads ({@link get}, {@link list}) come from a per-process cache that
 * a change on any process drops at once (pub/sub {@link REGISTRY_CHANGED}); should a notice
 * be lost (pub/sub is at most once), the cache is at most `cacheMs` old. {@link read} is
 * never cached (admin reads before an update). Health lives in the engine's KV, with TTLs.
 */
export class Registry implements RegistryReader {
  readonly #engine: Engine;
  readonly #config: RegistryConfig;
  readonly #logger: Logger;
  readonly #listeners = new Set<(change: RegistryChange) => void>();
  #catalog: { at: number; apps: Promise<Map<string, StoredApp>> } | undefined;
  #generation = 0;
  #unsubscribe: (() => Promise<void>) | undefined;

  constructor(engine: Engine, config: RegistryConfig, logger: Logger) {
    this.#engine = engine;
    this.#config = config;
    this.#logger = logger;
  }

  /** Subscribes to change notices; resolves once they are heard. */
  async start(): Promise<void> {
    this.#unsubscribe = await this.#engine.pubsub.subscribe(REGISTRY_CHANGED, (payload) => {
      const change = parseChange(payload);
      if (change === undefined) return;
      if (change.kind === 'entry') this.#drop();
      for (const listener of this.#listeners) listener(change);
    });
  }

  async close(): Promise<void> {
    await this.#unsubscribe?.().catch(() => {});
    this.#listeners.clear();
  }

  /** Calls `listener` for every change notice, from this process or another. */
  onChange(listener: (change: RegistryChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async get(appId: string): Promise<StoredApp | undefined> {
    if (!APP_ID_RE.test(appId)) return undefined;
    return (await this.#apps()).get(appId);
  }

  async list(): Promise<StoredApp[]> {
    return [...(await this.#apps()).values()];
  }

  /** The entry as stored now, bypassing the cache. */
  async read(appId: string): Promise<StoredApp | undefined> {
    if (!APP_ID_RE.test(appId)) return undefined;
    const record = await this.#engine.records.get(appKey(appId));
    return record && this.#parse(appId, record.value, record.version);
  }

  /** Creates `entry` only when no entry has its id. */
  create(entry: AppEntry): Promise<WriteResult> {
    return this.#write(entry, 0);
  }

  /** Replaces the entry only when it is still at `version` (from its ETag). */
  update(entry: AppEntry, version: number): Promise<WriteResult> {
    return this.#write(entry, version);
  }

  /** Deletes the entry only when it is still at `version`. */
  async delete(appId: string, version: number): Promise<WriteResult> {
    const removed = await this.#engine.records.delete(appKey(appId), version);
    if (!removed) {
      const current = await this.#engine.records.get(appKey(appId));
      return { ok: false, current: current && etagOf(current.version) };
    }
    await Promise.all([
      this.#engine.kv.delete(heartbeatKey(appId)),
      this.#engine.kv.delete(probeKey(appId)),
    ]);
    await this.announce({ id: appId, kind: 'entry', etag: null });
    return { ok: true, etag: etagOf(version) };
  }

  /**
   * `healthy` when a heartbeat is live or the last probe passed; `unhealthy` when the last
   * probe failed and no heartbeat is live; `unknown` when there is neither (no probe yet, or
   * its result expired because no process probes any more).
   */
  async health(appId: string): Promise<AppHealth> {
    if (!APP_ID_RE.test(appId)) return 'unknown';
    const [beat, probe] = await Promise.all([
      this.#engine.kv.get(heartbeatKey(appId)),
      this.#engine.kv.get(probeKey(appId)),
    ]);
    if (beat !== undefined) return 'healthy';
    if (probe === undefined) return 'unknown';
    return parseProbe(probe.value)?.ok === true ? 'healthy' : 'unhealthy';
  }

  /** Records a heartbeat of the app's backend, live for `heartbeatTtlMs`. */
  async heartbeat(appId: string): Promise<void> {
    await this.#engine.kv.set(heartbeatKey(appId), String(Date.now()), this.#config.heartbeatTtlMs);
  }

  /** Stores a probe result, which counts for `ttlMs`. */
  async recordProbe(appId: string, result: ProbeResult, ttlMs: number): Promise<void> {
    await this.#engine.kv.set(probeKey(appId), JSON.stringify(result), ttlMs);
  }

  /** Tells every process (this one included) of a change. Pub/sub is at most once: logged. */
  async announce(change: RegistryChange): Promise<void> {
    if (change.kind === 'entry') this.#drop();
    try {
      await this.#engine.pubsub.publish(REGISTRY_CHANGED, JSON.stringify(change));
    } catch (error) {
      this.#logger.warn({ err: error, app: change.id }, 'registry change notice not sent');
    }
  }

  async #write(entry: AppEntry, expected: number): Promise<WriteResult> {
    const id = entry.manifest.id;
    const result = await this.#engine.records.compareAndSet(
      appKey(id),
      JSON.stringify(entry),
      expected,
    );
    if (!result.ok) {
      return { ok: false, current: result.current && etagOf(result.current.version) };
    }
    const etag = etagOf(result.version);
    await this.announce({ id, kind: 'entry', etag });
    return { ok: true, etag };
  }

  #drop(): void {
    this.#catalog = undefined;
    this.#generation++;
  }

  #apps(): Promise<Map<string, StoredApp>> {
    const now = Date.now();
    if (this.#catalog !== undefined && now - this.#catalog.at < this.#config.cacheMs) {
      return this.#catalog.apps;
    }
    const generation = this.#generation;
    const apps = this.#load();
    const catalog = { at: now, apps };
    this.#catalog = catalog;
    apps.then(
      () => {
        // A change heard while loading may not be in what was loaded: do not keep it.
        if (this.#generation !== generation && this.#catalog === catalog) this.#catalog = undefined;
      },
      () => {
        if (this.#catalog === catalog) this.#catalog = undefined;
      },
    );
    return apps;
  }

  async #load(): Promise<Map<string, StoredApp>> {
    const keys = await this.#engine.records.list(APPS);
    const records = await Promise.all(keys.map((key) => this.#engine.records.get(key)));
    const apps = new Map<string, StoredApp>();
    keys.forEach((key, i) => {
      const record = records[i];
      const id = key.slice(APPS.length + 1);
      const app = record && this.#parse(id, record.value, record.version);
      if (app !== undefined) apps.set(id, app);
    });
    return apps;
  }

  /** A stored entry, checked again (it crossed the engine): one that fails is logged, skipped. */
  #parse(id: string, value: string, version: number): StoredApp | undefined {
    let parsed;
    try {
      parsed = AppEntrySchema.safeParse(JSON.parse(value));
    } catch {
      parsed = undefined;
    }
    if (parsed?.success !== true || parsed.data.manifest.id !== id) {
      this.#logger.error({ app: id }, 'registry entry in storage is not valid: skipped');
      return undefined;
    }
    return { entry: parsed.data, etag: etagOf(version) };
  }
}

function parseChange(payload: string): RegistryChange | undefined {
  try {
    const change = JSON.parse(payload) as Partial<RegistryChange>;
    if (typeof change.id !== 'string' || !APP_ID_RE.test(change.id)) return undefined;
    if (change.kind !== 'entry' && change.kind !== 'credentials') return undefined;
    const etag = typeof change.etag === 'string' ? change.etag : null;
    return { id: change.id, kind: change.kind, etag };
  } catch {
    return undefined;
  }
}

function parseProbe(value: string): ProbeResult | undefined {
  try {
    return JSON.parse(value) as ProbeResult;
  } catch {
    return undefined;
  }
}

/** Throws UNKNOWN_APP: one message whether the id is malformed or absent. */
export function unknownApp(id: string): McError {
  return new McError('UNKNOWN_APP', `no app ${JSON.stringify(id.slice(0, 40))} in the registry`);
}
