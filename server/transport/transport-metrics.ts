import { Counter, Gauge, type Registry } from 'prom-client';

/** The WebSocket transport's metrics, in the server's registry. */
export class TransportMetrics {
  readonly connections: Gauge;
  readonly framesIn: Counter<'t'>;
  readonly framesOut: Counter<'t'>;
  readonly refusals: Counter<'code'>;
  readonly cuts: Counter<'reason'>;

  constructor(registry: Registry) {
    this.connections = new Gauge({
      name: 'microcanvas_ws_connections',
      help: 'Open WebSocket connections.',
      registers: [registry],
    });
    this.framesIn = new Counter({
      name: 'microcanvas_ws_frames_in_total',
      help: 'Frames read from clients, by kind (`invalid` when undecodable, `dropped` when over the rate).',
      labelNames: ['t'],
      registers: [registry],
    });
    this.framesOut = new Counter({
      name: 'microcanvas_ws_frames_out_total',
      help: 'Frames sent to clients, by kind.',
      labelNames: ['t'],
      registers: [registry],
    });
    this.refusals = new Counter({
      name: 'microcanvas_ws_refusals_total',
      help: 'Refused upgrades (HTTP_403, HTTP_401, HTTP_400) and error frames sent, by code.',
      labelNames: ['code'],
      registers: [registry],
    });
    this.cuts = new Counter({
      name: 'microcanvas_ws_cuts_total',
      help: 'Connections the server cut, by reason (slow-reader, flood, heartbeat, shutdown).',
      labelNames: ['reason'],
      registers: [registry],
    });
  }
}
