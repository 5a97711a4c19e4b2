import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The dispatcher's Prometheus metrics. */
export class WebhookMetrics {
  /** Events by how they ended: delivered, dead (every attempt failed). */
  readonly deliveries: Counter<'result'>;
  /** Attempts by outcome: 2xx, 4xx, 5xx (by class), 410, 429, timeout, network, refused. */
  readonly attempts: Counter<'outcome'>;
  /** Events the stream's retention dropped before their delivery. */
  readonly expired: Counter;
  readonly duration: Histogram;
  readonly deadLetters: Gauge;

  constructor(registry: Registry, countDeadLetters: () => Promise<number>) {
    this.deliveries = new Counter({
      name: 'microcanvas_webhook_deliveries_total',
      help: 'Webhook events by how they ended: delivered, or dead (every attempt failed).',
      labelNames: ['result'],
      registers: [registry],
    });
    this.attempts = new Counter({
      name: 'microcanvas_webhook_attempts_total',
      help: 'Webhook delivery attempts by outcome: 2xx, 3xx, 4xx, 5xx, 410, 429, 503, timeout, network, refused.',
      labelNames: ['outcome'],
      registers: [registry],
    });
    this.expired = new Counter({
      name: 'microcanvas_webhook_expired_total',
      help: "Webhook events dropped by the outbox stream's retention before they were delivered.",
      registers: [registry],
    });
    this.duration = new Histogram({
      name: 'microcanvas_webhook_attempt_duration_seconds',
      help: 'Time from sending a webhook to its answer (or failure).',
      buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 15],
      registers: [registry],
    });
    this.deadLetters = new Gauge({
      name: 'microcanvas_webhook_dead_letters',
      help: 'Dead letters waiting for an admin (every endpoint), counted at scrape time.',
      registers: [registry],
      // A scrape while the engine is down must still answer (engine_up says 0): the
      // gauge keeps its last figure rather than failing /metrics with a 500.
      async collect() {
        try {
          this.set(await countDeadLetters());
        } catch {
          // Kept: the last count.
        }
      },
    });
  }
}
