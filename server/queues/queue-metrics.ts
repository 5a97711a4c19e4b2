import { Counter, type Registry } from 'prom-client';

/** Prometheus metrics of the queues (no app label: app ids are chosen by admins, unbounded). */
export class QueueMetrics {
  /** Deliveries handed to backends: `first` time, or `again` (a redelivery). */
  readonly deliveries: Counter<'kind'>;
  /** Acks and nacks by backends. */
  readonly acks: Counter<'kind'>;
  /** Entries moved to the dead letters: `max-deliveries` or `malformed`. */
  readonly deadLetters: Counter<'reason'>;
  /** Events backends published into spaces (`stored` or `duplicate`). */
  readonly published: Counter<'result'>;

  constructor(registry: Registry) {
    this.deliveries = new Counter({
      name: 'microcanvas_queue_deliveries_total',
      help: 'Queue deliveries handed to app backends, by first time or again',
      labelNames: ['kind'],
      registers: [registry],
    });
    this.acks = new Counter({
      name: 'microcanvas_queue_acks_total',
      help: 'Queue deliveries acked or nacked by app backends',
      labelNames: ['kind'],
      registers: [registry],
    });
    this.deadLetters = new Counter({
      name: 'microcanvas_queue_dead_letters_total',
      help: 'Queue entries moved to the dead letters',
      labelNames: ['reason'],
      registers: [registry],
    });
    this.published = new Counter({
      name: 'microcanvas_backend_published_total',
      help: 'Events app backends published into spaces',
      labelNames: ['result'],
      registers: [registry],
    });
  }
}
