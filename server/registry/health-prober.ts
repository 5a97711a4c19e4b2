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

/** A health change of one app, for the event stream. */
export type HealthListener = (appId: string, etag: string, health: AppHealth) => void;

/** A probe result counts for this many intervals, so one slow round does not make it unknown. */
const RESULT_INTERVALS = 3;

/**
 * Probes each entry's `backend.health` every interval (GET, 2xx passes, redirects are not
 * followed: they fail), stores the result in the engine's KV for a few intervals, then
 * recomputes every app's health and reports those that changed. Every server process runs
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
  readonly #known = new Map<string, AppHealth>();
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
    await this.#round;
    this.#listeners.clear();
  }

  onHealthChange(listener: HealthListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Recomputes one app's health now (after a heartbeat or an entry change) and reports it
   * if it changed, or always with `force` (the entry itself changed).
   */
  async check(appId: string, force = false): Promise<void> {
    const app = await this.#registry.get(appId);
    if (app === undefined) {
      this.#known.delete(appId);
      return;
    }
    if (force) this.#known.delete(appId);
    this.#report(appId, app.etag, await this.#registry.health(appId));
  }

  async #runRound(): Promise<void> {
    try {
      const apps = await this.#registry.list();
      await Promise.all(apps.map(({ entry }) => this.#probe(entry)));
      const ids = new Set(apps.map(({ entry }) => entry.manifest.id));
      for (const id of this.#known.keys()) if (!ids.has(id)) this.#known.delete(id);
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
    if (before === health) return;
    this.#known.set(appId, health);
    if (before !== undefined)
      this.#logger.info({ app: appId, health, before }, 'app health changed');
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
          signal: AbortSignal.timeout(this.#config.timeoutMs),
          headers: { 'user-agent': 'microcanvas-registry-probe' },
        });
        await response.body?.cancel();
        ok = response.status >= 200 && response.status < 300;
        detail = `HTTP ${response.status}`;
      } catch (error) {
        detail =
          error instanceof Error && error.name === 'TimeoutError'
            ? `no answer within ${this.#config.timeoutMs} ms`
            : `unreachable: ${(error as { cause?: { code?: string } }).cause?.code ?? String(error)}`;
      }
    }
    this.#metrics.probes.inc({ result: ok ? 'ok' : 'fail' });
    if (!ok)
      this.#logger.warn(
        { app: appId, url: target ?? backend.health, detail },
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
