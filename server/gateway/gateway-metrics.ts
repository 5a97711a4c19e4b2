import { Counter, Histogram, type Registry } from 'prom-client';

/**
 * The gateway's metrics. `app` is a registered app id or `-` (a path naming no app), never
 * text from the request itself, so the label set stays as small as the registry.
 */
export class GatewayMetrics {
  readonly requests: Counter<'app' | 'status'>;
  readonly upstream: Histogram<'app'>;

  constructor(registry: Registry) {
    this.requests = new Counter({
      name: 'microcanvas_gateway_requests_total',
      help: "Requests to /api/<app>/*, by app and the status answered (the gateway's or the backend's).",
      labelNames: ['app', 'status'],
      registers: [registry],
    });
    this.upstream = new Histogram({
      name: 'microcanvas_gateway_upstream_duration_seconds',
      help: "From forwarding a request to the backend's response headers, by app.",
      labelNames: ['app'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
  }
}
