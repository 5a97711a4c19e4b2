import type { Logger } from 'pino';

import type { AppEntry, AppHealth } from '../../sdk/protocol/registry.ts';
import type { Registry } from './registry.ts';
import type { RegistryMetrics } from './registry-metrics.ts';

export interface ProberConfig {
  /** Time between two rounds of probes. */
  readonly intervalMs: number;
  /** A probe without an answer within this long fails. */
  readonly timeoutMs: number;
}

/** A change of one app's entry (etag null: deleted) or health, for the event stream. */
export type HealthListener = (appId: string, etag: string | null, health: AppHealth) => void;

/** Probes in flight at once per process, so a large catalog does not open a socket per app. */
const PROBES_IN_FLIGHT = 16;

/** A probe result counts for this many intervals, so one slow round does not make it unknown. */
const RESULT_INTERVALS = 3;

/**
 * Probes each entry's `backend.health` every interval (GET, 2xx passes, redirects are not
 * followed: they fail), stores the result in the engine's KV for a few intervals, then
 * recomputes every app's health and reports each app whose health or ETag changed, and each
 * app gone (so a lost change notice is made up for within a round). Every server process runs
 * one: on several processes each URL is probed once per process per interval, which is
 * harmless for a health endpoint and spares electing a leader; any process's result is what
 * `health()` reads. Only http(s) URLs are probed. The targets are written by an admin, so a
 * probe may reach private addresses: that is the admin's choice, and the answer's body is
 * never read nor shown.
 */
export class HealthProber {
  readonly #registry: Registry;
  readonly #config: ProberConfig;
  readonly #logger: Logger;
  readonly #metrics: RegistryMetrics;
  /** What was last reported of each app: `<etag> <health>`. */
  readonly #known = new Map<string, string>();
  readonly #stop = new AbortController();
  readonly #listeners = new Set<HealthListener>();
  #timer: NodeJS.Timeout | undefined;
  #round: Promise<void> | undefined;
  #closed = false;

  constructor(registry: Registry, config: ProberConfig, logger: Logger, metrics: RegistryMetrics) {
    this.#registry = registry;
    this.#config = config;
    this.#logger = logger;
    this.#metrics = metrics;
  }

  /** Starts the rounds: the first at once. */
  start(): void {
    const tick = () => {
      if (this.#closed) return;
      this.#round ??= this.#runRound().finally(() => {
        this.#round = undefined;
      });
      this.#timer = setTimeout(tick, this.#config.intervalMs);
      this.#timer.unref();
    };
    tick();
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#stop.abort();
    await this.#round;
    this.#listeners.clear();
  }

  onHealthChange(listener: HealthListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Recomputes one app's health now (after a heartbeat or a change notice) and reports it if
   * it or the entry changed, or always with `force` (a change notice: the host pages hear of
   * every update, even one that left the ETag where a lost notice had put it).
   */
  async check(appId: string, force = false): Promise<void> {
    if (force) this.#known.delete(appId);
    const app = await this.#registry.get(appId);
    if (app === undefined) {
      if (this.#known.delete(appId) || force) this.#emit(appId, null, 'unknown');
      return;
    }
    this.#report(appId, app.etag, await this.#registry.health(appId));
  }

  async #runRound(): Promise<void> {
    try {
      const apps = await this.#registry.list();
      const queue = apps.map(({ entry }) => entry);
      const worker = async () => {
        for (let entry = queue.shift(); entry !== undefined; entry = queue.shift()) {
          await this.#probe(entry);
        }
      };
      await Promise.all(Array.from({ length: PROBES_IN_FLIGHT }, worker));
      if (this.#closed) return;
      const ids = new Set(apps.map(({ entry }) => entry.manifest.id));
      for (const id of [...this.#known.keys()]) {
        if (!ids.has(id) && this.#known.delete(id)) this.#emit(id, null, 'unknown');
      }
      const healths = await Promise.all(
        apps.map(({ entry }) => this.#registry.health(entry.manifest.id)),
      );
      apps.forEach((app, i) => this.#report(app.entry.manifest.id, app.etag, healths[i]!));
    } catch (error) {
      this.#logger.warn({ err: error }, 'registry health round failed');
    }
  }

  #report(appId: string, etag: string, health: AppHealth): void {
    const before = this.#known.get(appId);
    const now = `${etag} ${health}`;
    if (before === now) return;
    this.#known.set(appId, now);
    const wasHealth = before?.split(' ')[1];
    if (wasHealth !== undefined && wasHealth !== health) {
      this.#logger.info({ app: appId, health, before: wasHealth }, 'app health changed');
    }
    this.#emit(appId, etag, health);
  }

  #emit(appId: string, etag: string | null, health: AppHealth): void {
    for (const listener of this.#listeners) listener(appId, etag, health);
  }

  async #probe(entry: AppEntry): Promise<void> {
    const backend = entry.backend;
    if (backend?.health === undefined) return;
    const appId = entry.manifest.id;
    const target = resolveBackendUrl(backend.url, backend.health);
    let ok = false;
    let detail: string;
    if (target === undefined) {
      detail = 'not an http(s) URL';
    } else {
      try {
        const response = await fetch(target, {
          redirect: 'manual',
          signal: AbortSignal.any([AbortSignal.timeout(this.#config.timeoutMs), this.#stop.signal]),
          headers: { 'user-agent': 'microcanvas-registry-probe' },
        });
        await response.body?.cancel();
        ok = response.status >= 200 && response.status < 300;
        detail = `HTTP ${response.status}`;
      } catch (error) {
        detail =
          error instanceof Error && error.name === 'TimeoutError'
            ? `no answer within ${this.#config.timeoutMs} ms`
            : // The error's own text may quote the URL, credentials included: never kept.
              `unreachable: ${(error as { cause?: { code?: string } }).cause?.code ?? String(error).replace(/\b[a-z][a-z0-9+.-]*:\/\/\S*/gi, '<url>')}`;
      }
    }
    if (this.#closed) return;
    this.#metrics.probes.inc({ result: ok ? 'ok' : 'fail' });
    if (!ok)
      this.#logger.warn(
        { app: appId, url: target === undefined ? 'not http(s)' : withoutSecrets(target), detail },
        'health probe failed',
      );
    const ttlMs = Math.max(this.#config.intervalMs * RESULT_INTERVALS, this.#config.timeoutMs * 2);
    try {
      await this.#registry.recordProbe(appId, { ok, at: Date.now(), detail }, ttlMs);
    } catch (error) {
      this.#logger.warn({ err: error, app: appId }, 'health probe result not stored');
    }
  }
}

/**
 * An address given in an entry (a health URL, a webhook URL): absolute http(s), or a path
 * under the backend's base URL (`/healthz` under `http://todo:8080/api` is
 * `http://todo:8080/api/healthz`). Undefined for anything else (`file:`, `javascript:`, …).
 */
export function resolveBackendUrl(base: string, target: string): string | undefined {
  let url: URL;
  try {
    url = /^[a-z][a-z0-9+.-]*:/i.test(target)
      ? new URL(target)
      : new URL(`${base.replace(/\/+$/, '')}/${target.replace(/^\/+/, '')}`);
  } catch {
    return undefined;
  }
  return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
}

/**
 * `url` as a log may show it: without user name, password, query and fragment, where an
 * entry may carry a backend's credentials (`http://user:pass@…`, `?key=…`).
 */
export function withoutSecrets(url: string): string {
  const parsed = new URL(url);
  parsed.username = '';
  parsed.password = '';
  parsed.search = '';
  parsed.hash = '';
  return parsed.href;
}
