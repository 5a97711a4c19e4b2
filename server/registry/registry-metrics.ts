import { Counter, Gauge, type Registry as PromRegistry } from 'prom-client';

import type { Registry } from './registry.ts';

/** The registry's metrics, on the server's prom-client registry. */
export class RegistryMetrics {
  readonly probes: Counter<'result'>;
  readonly eventStreams: Gauge;

  constructor(prom: PromRegistry, registry: Registry) {
    new Gauge({
      name: 'microcanvas_registry_apps',
      help: 'Apps in the registry, as this process sees them at scrape time.',
      registers: [prom],
      async collect() {
        // An engine that does not answer leaves the last figure: /metrics still answers.
        const apps = await registry.list().catch(() => undefined);
        if (apps !== undefined) this.set(apps.length);
      },
    });
    this.probes = new Counter({
      name: 'microcanvas_registry_probes_total',
      help: 'Health probes of app backends by this process, by result (ok, fail).',
      labelNames: ['result'],
      registers: [prom],
    });
    this.eventStreams = new Gauge({
      name: 'microcanvas_registry_event_streams',
      help: 'Open GET /registry/events streams on this process.',
      registers: [prom],
    });
  }
}
