import type { IncomingMessage, ServerResponse } from 'node:http';

import type { AppHealth } from '../../sdk/protocol/registry.ts';
import type { RegistryMetrics } from './registry-metrics.ts';

/** What a host page hears of an entry: its new ETag (null: deleted) and health. */
export interface RegistryEvent {
  readonly id: string;
  readonly etag: string | null;
  readonly health: AppHealth;
}

/** A comment line this often keeps proxies from closing an idle stream. */
const KEEPALIVE_MS = 15_000;
/** How long a browser waits before reconnecting a dropped stream (EventSource `retry`). */
const RETRY_MS = 2_000;
/** A stream whose reader has fallen this far behind is cut (it reconnects and re-reads). */
const MAX_BUFFERED_BYTES = 64 * 1024;

/**
 * `GET /registry/events`: a Server-Sent Events stream of `change` events (`data:
 * {"id","etag","health"}`), one per entry change or health change, so that host pages learn
 * of updates without polling. Nothing is replayed: a page that (re)connects reads
 * `GET /registry/apps` first, then follows the stream. Public, like the catalog; bounded by
 * `maxStreams` per process (503 beyond).
 */
export class RegistryEvents {
  readonly #streams = new Set<ServerResponse>();
  readonly #maxStreams: number;
  readonly #metrics: RegistryMetrics;
  readonly #keepalive: NodeJS.Timeout;

  constructor(maxStreams: number, metrics: RegistryMetrics) {
    this.#maxStreams = maxStreams;
    this.#metrics = metrics;
    this.#keepalive = setInterval(() => {
      this.#write(': keepalive\n\n');
    }, KEEPALIVE_MS);
    this.#keepalive.unref();
  }

  /** Whether another stream may open. */
  get full(): boolean {
    return this.#streams.size >= this.#maxStreams;
  }

  /** Opens the stream on `res` (headers such as CORS already set); 200. */
  open(req: IncomingMessage, res: ServerResponse): number {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      // Proxies such as nginx otherwise buffer the stream.
      'x-accel-buffering': 'no',
    });
    res.write(`retry: ${RETRY_MS}\n: open\n\n`);
    this.#streams.add(res);
    this.#metrics.eventStreams.set(this.#streams.size);
    const done = () => {
      this.#streams.delete(res);
      this.#metrics.eventStreams.set(this.#streams.size);
    };
    req.socket.setTimeout(0);
    res.on('close', done);
    return 200;
  }

  send(event: RegistryEvent): void {
    this.#write(`event: change\ndata: ${JSON.stringify(event)}\n\n`);
  }

  #write(frame: string): void {
    for (const res of this.#streams) {
      if (res.writableLength > MAX_BUFFERED_BYTES) res.destroy();
      else res.write(frame);
    }
  }

  /** Ends every stream (server shutdown). */
  close(): void {
    clearInterval(this.#keepalive);
    for (const res of this.#streams) res.end();
    this.#streams.clear();
    this.#metrics.eventStreams.set(0);
  }
}
