import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

import type { Engine } from './engine/index.ts';

/**
 * The server's Prometheus metrics, in a registry of its own (not prom-client's global one),
 * so that two servers in one process, as in the tests, never count into each other.
 * prom-client rather than hand-written text: the exposition format's escaping and
 * histogram buckets, and the process metrics (CPU, memory, event-loop lag, GC, handles)
 * that an operator expects, are its job and would be most of the code here.
 */
export class ServerMetrics {
  readonly registry = new Registry();
  readonly requests: Counter<'route' | 'status'>;
  readonly duration: Histogram<'route'>;
  readonly engineUp: Gauge;

  constructor(engine: Engine, healthTimeoutMs: number) {
    this.registry.setDefaultLabels({ engine: engine.name });
    collectDefaultMetrics({ register: this.registry, prefix: 'microcanvas_' });
    this.requests = new Counter({
      name: 'microcanvas_http_requests_total',
      help: 'HTTP requests answered, by route and status code.',
      labelNames: ['route', 'status'],
      registers: [this.registry],
    });
    this.duration = new Histogram({
      name: 'microcanvas_http_request_duration_seconds',
      help: 'Time to answer an HTTP request, by route.',
      labelNames: ['route'],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      registers: [this.registry],
    });
    this.engineUp = new Gauge({
      name: 'microcanvas_engine_up',
      help: '1 when the storage engine answered its health check at scrape time, else 0.',
      registers: [this.registry],
      // Measured at scrape time, so the figure is never older than the scrape.
      async collect() {
        const health = await checkHealth(engine, healthTimeoutMs);
        this.set(health.ok ? 1 : 0);
      },
    });
  }
}

/** engine.health() bounded in time: a hung connection reads as down, not as a hung probe. */
export async function checkHealth(
  engine: Engine,
  timeoutMs: number,
): Promise<{ ok: true } | { ok: false; reason: string }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<{ ok: false; reason: string }>((resolve) => {
    timer = setTimeout(
      () => resolve({ ok: false, reason: `${engine.name}: no answer within ${timeoutMs} ms` }),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([engine.health(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
