import { hostname } from 'node:os';

import type { Logger } from 'pino';
import type { Registry } from 'prom-client';

import { McError } from '../../sdk/protocol/errors.ts';
import type { AppEntry } from '../../sdk/protocol/registry.ts';
import type { Engine } from '../engine/types.ts';
import { AddressGuard } from '../gateway/address-guard.ts';
import { resolveBackendUrl } from '../registry/health-prober.ts';
import type { RegistryReader } from '../registry/types.ts';
import { systemClock, type Clock } from './clock.ts';
import { EndpointStore } from './endpoint-state.ts';
import { EndpointWorker, type Target, type WorkerContext } from './endpoint-worker.ts';
import { DEFAULT_WEBHOOK_SCHEDULE_MS } from './schedule.ts';
import { WebhookMetrics } from './webhook-metrics.ts';

/** Options of the webhook dispatcher (server options `webhook*`). */
export interface WebhookOptions {
  /** Waits before each attempt, the first usually 0. Default: the Standard Webhooks schedule. */
  readonly schedule?: readonly number[];
  /** How long an attempt may take, answer included. Default 15 s. */
  readonly timeoutMs?: number;
  /** The longest `Retry-After` honoured. Default: the schedule's longest wait. */
  readonly retryAfterMaxMs?: number;
  /** Private or loopback addresses (or CIDR ranges) deliveries may go to. Default none. */
  readonly allow?: readonly string[];
  /** The schedule's clock. Default the system clock. */
  readonly clock?: Clock;
  /** How often an idle endpoint looks for new events. Default 200 ms. */
  readonly pollMs?: number;
  /**
   * How long an endpoint stays with a process that stopped renewing it (killed): another
   * process takes it over after this. Default 10 s. Keep it several times `scanMs`: a worker
   * takes new entries only while its lease has more than half of it to run.
   */
  readonly leaseMs?: number;
  /** How often the registry is read for endpoints and leases are renewed. Default 1 s. */
  readonly scanMs?: number;
  /** Jitter's randomness, in [0, 1). Default Math.random. */
  readonly random?: () => number;
}

export const DEFAULT_WEBHOOK_TIMEOUT_MS = 15_000;

interface Held {
  readonly worker: EndpointWorker;
  /** The lease's KV version, for renewal by compare-and-set. */
  version: number;
  /** Until when (real time) the lease is surely ours. */
  until: number;
}

/**
 * Runs the webhook endpoints of the registry: each endpoint is held by one process at a
 * time through a lease (a KV key with a time-to-live, renewed by compare-and-set every
 * scan), and its process runs an {@link EndpointWorker} for it. Endpoints spread over the
 * processes by whoever takes a free lease first; one that stops renewing (killed) loses
 * its endpoints to the others after `leaseMs`.
 */
export class WebhookDispatcher {
  readonly store: EndpointStore;
  readonly #engine: Engine;
  readonly #registry: RegistryReader;
  readonly #logger: Logger;
  readonly #ctx: WorkerContext;
  readonly #leaseMs: number;
  readonly #scanMs: number;
  /** Names this process in the leases it holds (the admin status shows it). */
  readonly #id = `${hostname()}/${process.pid}/${crypto.randomUUID().slice(0, 8)}`;
  readonly #held = new Map<string, Held>();
  #targets = new Map<string, Target>();
  #timer: NodeJS.Timeout | undefined;
  #scanning: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(
    engine: Engine,
    registry: RegistryReader,
    logger: Logger,
    options: WebhookOptions = {},
    metrics?: Registry,
  ) {
    this.#engine = engine;
    this.#registry = registry;
    this.#logger = logger;
    this.store = new EndpointStore(engine.records);
    this.#leaseMs = options.leaseMs ?? 10_000;
    this.#scanMs = options.scanMs ?? 1_000;
    const schedule = options.schedule ?? DEFAULT_WEBHOOK_SCHEDULE_MS;
    if (schedule.length === 0 || !schedule.every((ms) => Number.isSafeInteger(ms) && ms >= 0)) {
      throw new McError('INVALID_ARGUMENT', 'the webhook schedule must list waits of ≥ 0 ms');
    }
    this.#ctx = {
      log: engine.log,
      store: this.store,
      clock: options.clock ?? systemClock,
      guard: new AddressGuard(options.allow ?? []),
      logger,
      metrics:
        metrics === undefined
          ? undefined
          : new WebhookMetrics(metrics, () => this.store.countDeadLetters()),
      schedule,
      timeoutMs: options.timeoutMs ?? DEFAULT_WEBHOOK_TIMEOUT_MS,
      retryAfterMaxMs: options.retryAfterMaxMs ?? Math.max(0, ...schedule),
      pollMs: options.pollMs ?? 200,
      // Entries are taken only while the lease has longer than this to run: one taken by a
      // process killed before its ack is due again before another process can hold the
      // endpoint, and is handed out first, so the next entry never overtakes it.
      ackWaitMs: Math.floor(this.#leaseMs / 2),
      random: options.random ?? Math.random,
      target: (app, name) => this.#targets.get(`${app}.${name}`),
      holds: (app, name, marginMs) => {
        const held = this.#held.get(`${app}.${name}`);
        return held !== undefined && Date.now() + marginMs < held.until;
      },
    };
  }

  /** Starts scanning the registry for endpoints. */
  start(): void {
    const tick = () => {
      this.#scanning = this.#scan()
        .catch((error: unknown) => this.#logger.warn({ err: error }, 'webhook scan failed'))
        .finally(() => {
          if (!this.#closed) this.#timer = setTimeout(tick, this.#scanMs);
        });
    };
    tick();
  }

  /** A new event for `app`'s webhook `name` (from the router in this process). */
  nudge(app: string, name: string): void {
    this.#held.get(`${app}.${name}`)?.worker.nudge();
  }

  /**
   * Whether `app` has a webhook `name` in the registry, or had one that left state behind
   * (its dead letters stay readable after it is removed).
   */
  async known(app: string, name: string): Promise<boolean> {
    const stored = await this.#registry.get(app);
    if (stored?.entry.backend?.webhooks.some((hook) => hook.name === name)) return true;
    return (await this.store.load(app, name)).version !== 0;
  }

  /** Which process delivers `app`'s webhook `name` now (`host/pid/…`), if any. */
  async holder(app: string, name: string): Promise<string | undefined> {
    return (await this.#engine.kv.get(leaseKey(`${app}.${name}`)))?.value;
  }

  /** Stops every worker and gives the leases back for other processes to take at once. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    await this.#scanning;
    await Promise.allSettled([...this.#held.keys()].map((key) => this.#release(key)));
  }

  async #scan(): Promise<void> {
    const targets = new Map<string, Target>();
    for (const { entry } of await this.#registry.list()) {
      for (const [key, target] of targetsOf(entry)) targets.set(key, target);
    }
    this.#targets = targets;
    for (const key of [...this.#held.keys()]) {
      if (!targets.has(key)) await this.#release(key);
    }
    for (const key of targets.keys()) {
      if (this.#closed) return;
      const held = this.#held.get(key);
      if (held === undefined) await this.#acquire(key);
      else await this.#renew(key, held);
    }
  }

  async #acquire(key: string): Promise<void> {
    const until = Date.now() + this.#leaseMs;
    const result = await this.#engine.kv.compareAndSet(leaseKey(key), this.#id, 0, this.#leaseMs);
    if (!result.ok) return;
    const [app, name] = key.split('.') as [string, string];
    const worker = new EndpointWorker(this.#ctx, app, name);
    this.#held.set(key, { worker, version: result.version, until });
    this.#logger.info({ app, webhook: name }, 'webhook endpoint taken');
    worker.start();
  }

  async #renew(key: string, held: Held): Promise<void> {
    const until = Date.now() + this.#leaseMs;
    let result;
    try {
      result = await this.#engine.kv.compareAndSet(
        leaseKey(key),
        this.#id,
        held.version,
        this.#leaseMs,
      );
    } catch (error) {
      // Not renewed: `holds` turns false once the lease may have run out.
      this.#logger.warn({ err: error, key }, 'webhook lease renewal failed');
      return;
    }
    if (result.ok) {
      held.version = result.version;
      held.until = until;
      return;
    }
    this.#logger.warn({ key }, 'webhook endpoint lease lost');
    this.#held.delete(key);
    await held.worker.stop();
  }

  async #release(key: string): Promise<void> {
    const held = this.#held.get(key);
    if (held === undefined) return;
    this.#held.delete(key);
    await held.worker.stop();
    const current = await this.#engine.kv.get(leaseKey(key));
    if (current?.version === held.version) await this.#engine.kv.delete(leaseKey(key));
  }
}

function leaseKey(key: string): string {
  return `webhooks.lease.${key}`;
}

/** An entry's webhook endpoints by `app.name`, their URLs resolved against the backend's. */
export function targetsOf(entry: AppEntry): Array<[string, Target]> {
  const backend = entry.backend;
  if (backend === undefined) return [];
  return backend.webhooks.flatMap((hook): Array<[string, Target]> => {
    const url = resolveBackendUrl(backend.url, hook.url);
    if (url === undefined) return [];
    return [[`${entry.manifest.id}.${hook.name}`, { url: new URL(url), secrets: hook.secrets }]];
  });
}
