import { Counter, type Registry } from 'prom-client';

/** The event bus's metrics, in the server's registry. */
export class BusMetrics {
  readonly appends: Counter<'result'>;
  readonly resumes: Counter<'recovered'>;
  readonly catchUps: Counter;

  constructor(registry: Registry) {
    this.appends = new Counter({
      name: 'microcanvas_bus_appends_total',
      help: 'Events and states published, by result (`stored`, or `duplicate`: a resend stored once).',
      labelNames: ['result'],
      registers: [registry],
    });
    this.resumes = new Counter({
      name: 'microcanvas_bus_resumes_total',
      help: 'Follows and losses of history while following: `true` when every event after the position followed, `false` when not, `new` for a follow without a position.',
      labelNames: ['recovered'],
      registers: [registry],
    });
    this.catchUps = new Counter({
      name: 'microcanvas_bus_catch_ups_total',
      help: 'Log reads for a follower whose next entry was not the one heard of (reordered or lost pub/sub, a slow follower).',
      registers: [registry],
    });
  }
}
