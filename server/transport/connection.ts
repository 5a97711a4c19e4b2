import { randomUUID } from 'node:crypto';

import type { Logger } from 'pino';
import type { RawData, WebSocket } from 'ws';

import { McError, type ErrorCode } from '../../sdk/protocol/errors.ts';
import {
  decodeClientFrame,
  encodeServerFrame,
  type ClientFrame,
  type GAP_REASONS,
  type ServerFrame,
} from '../../sdk/protocol/server-wire.ts';
import { TokenBucket } from './token-bucket.ts';
import type { TransportMetrics } from './transport-metrics.ts';

/** Why the server cuts a connection (`gap.reason`). */
export type GapReason = (typeof GAP_REASONS)[number];

/** What one connection may do; docs/server.md explains each bound. */
export interface ConnectionLimits {
  /** Largest frame read (bytes); larger ones up to 4× are refused with PAYLOAD_TOO_LARGE. */
  readonly maxFrameBytes: number;
  readonly ratePerSec: number;
  readonly burst: number;
  /** Bytes queued for a client beyond which it is a slow reader and is cut. */
  readonly maxBufferedBytes: number;
  /** Requests accepted but not yet answered beyond which the client is flooding. */
  readonly maxPending: number;
  /** Open connections of one user on one process; more are refused at upgrade (429). */
  readonly maxConnectionsPerUser: number;
}

/** What handles a connection's decoded frames (spaces, canvas sync, later events). */
export interface FrameRouter {
  /** Handles one frame; a thrown McError becomes an `error` reply to the frame's `id`. */
  handle(connection: Connection, frame: ClientFrame): Promise<void>;
  /** The connection ended: forget it. */
  closed(connection: Connection): void;
}

/**
 * One authenticated WebSocket: decodes frames (bounded, then validated), rate-limits them,
 * runs them one at a time in arrival order (a device's edits apply in the order it sent them),
 * and sends frames without ever queueing more than `maxBufferedBytes` for a client.
 */
export class Connection {
  /** Short id for logs. */
  readonly id = randomUUID().slice(0, 8);
  readonly user: string;
  readonly device: string;
  readonly log: Logger;
  readonly #ws: WebSocket;
  readonly #limits: ConnectionLimits;
  readonly #router: FrameRouter;
  readonly #metrics: TransportMetrics;
  readonly #bucket: TokenBucket;
  #alive = true;
  #closed = false;
  #chain: Promise<void> = Promise.resolve();
  #pending = 0;
  #dropped = 0;
  #dropWindowStart = 0;
  readonly #ended: Promise<void>;

  constructor(
    ws: WebSocket,
    who: { readonly user: string; readonly device: string },
    limits: ConnectionLimits,
    router: FrameRouter,
    metrics: TransportMetrics,
    logger: Logger,
  ) {
    this.#ws = ws;
    this.user = who.user;
    this.device = who.device;
    this.#limits = limits;
    this.#router = router;
    this.#metrics = metrics;
    this.#bucket = new TokenBucket(limits.ratePerSec, limits.burst);
    this.log = logger.child({ conn: this.id, user: who.user, device: who.device });
    ws.on('message', (data, isBinary) => this.#onMessage(data, isBinary));
    ws.on('pong', () => (this.#alive = true));
    ws.on('error', (error) => this.log.debug({ err: error }, 'socket error'));
    this.#ended = new Promise((resolve) =>
      ws.once('close', (code) => {
        this.#closed = true;
        this.log.info({ code }, 'disconnected');
        router.closed(this);
        resolve();
      }),
    );
  }

  /**
   * Bytes queued for the client and not yet sent: what a sender of many frames in a row (an
   * event catch-up) waits on, so as not to be taken for a slow reader's fault.
   */
  get buffered(): number {
    return this.#ws.bufferedAmount;
  }

  /** Resolves when the socket is closed. */
  get ended(): Promise<void> {
    return this.#ended;
  }

  /**
   * Sends a frame unless the connection is closed; a client that has more than
   * `maxBufferedBytes` waiting does not read its socket and is cut instead (never buffered
   * without bound). Returns whether the frame was queued.
   */
  send(frame: ServerFrame): boolean {
    if (this.#closed) return false;
    if (this.#ws.bufferedAmount > this.#limits.maxBufferedBytes) {
      this.cut('slow-reader');
      return false;
    }
    this.#ws.send(encodeServerFrame(frame));
    this.#metrics.framesOut.inc({ t: frame.t });
    return true;
  }

  /**
   * Sends an `error` frame: a refusal of request `id`, of the connection's frames, or (with
   * `space` and no id) the end of a space's pushes.
   */
  refuse(code: ErrorCode, message: string, id?: number, space?: string): void {
    this.#metrics.refusals.inc({ code });
    this.send({
      t: 'error',
      ...(id === undefined ? {} : { id }),
      ...(space === undefined ? {} : { space }),
      code,
      message,
    });
  }

  /**
   * Sends `gap` and ends the connection. A slow reader is terminated at once (the gap cannot
   * reach it past what it already does not read); others get up to a second to receive it.
   */
  cut(reason: GapReason): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#metrics.cuts.inc({ reason });
    this.log.warn({ reason }, 'cut');
    const ws = this.#ws;
    if (reason === 'slow-reader') {
      ws.terminate();
      return;
    }
    const timer = setTimeout(() => ws.terminate(), 1_000);
    ws.send(encodeServerFrame({ t: 'gap', reason }), () => {
      clearTimeout(timer);
      ws.close(reason === 'shutdown' ? 1001 : 1008, reason);
      // A peer that never answers the close handshake is cut after the same second.
      setTimeout(() => ws.terminate(), 1_000).unref();
    });
    this.#metrics.framesOut.inc({ t: 'gap' });
  }

  /** Heartbeat tick: a client that did not answer the previous ping is gone. */
  beat(): void {
    if (this.#closed) return;
    if (!this.#alive) {
      this.#metrics.cuts.inc({ reason: 'heartbeat' });
      this.log.info('no pong: terminated');
      this.#closed = true;
      this.#ws.terminate();
      return;
    }
    this.#alive = false;
    this.#ws.ping();
  }

  #onMessage(data: RawData, isBinary: boolean): void {
    this.#alive = true;
    if (this.#closed) return;
    if (!this.#bucket.take()) return this.#drop();
    const bytes = Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : data.byteLength;
    if (isBinary) return this.#invalid('MALFORMED_MESSAGE', 'binary frames are not read');
    if (bytes > this.#limits.maxFrameBytes) {
      return this.#invalid(
        'PAYLOAD_TOO_LARGE',
        `frame larger than ${this.#limits.maxFrameBytes} bytes`,
      );
    }
    const text = Array.isArray(data)
      ? Buffer.concat(data).toString('utf8')
      : Buffer.from(data as ArrayBuffer).toString('utf8');
    const result = decodeClientFrame(text);
    if (!result.ok) return this.#invalid(result.error.code, result.error.message, result.id);
    const frame = result.frame;
    this.#metrics.framesIn.inc({ t: frame.t });
    if (frame.t === 'ping') {
      this.send({ t: 'pong', id: frame.id });
      return;
    }
    if (++this.#pending > this.#limits.maxPending) {
      this.cut('flood');
      return;
    }
    this.#chain = this.#chain
      .then(() => this.#router.handle(this, frame))
      .catch((error: unknown) => this.#failed(error, frame))
      .finally(() => this.#pending--);
  }

  #invalid(code: ErrorCode, message: string, id?: number): void {
    this.#metrics.framesIn.inc({ t: 'invalid' });
    this.refuse(code, message, id);
  }

  /**
   * Over the rate: the frame is dropped unread. The first drop in a second is told (one
   * RATE_LIMITED without an id: the dropped requests get no reply); more than `burst` drops
   * within a second is a flood, and the connection is cut.
   */
  #drop(): void {
    this.#metrics.framesIn.inc({ t: 'dropped' });
    const now = performance.now();
    if (now - this.#dropWindowStart > 1_000) {
      this.#dropWindowStart = now;
      this.#dropped = 0;
    }
    this.#dropped++;
    if (this.#dropped === 1) {
      this.refuse('RATE_LIMITED', `more than ${this.#limits.ratePerSec} frames per second`);
    } else if (this.#dropped > this.#limits.burst) {
      this.cut('flood');
    }
  }

  #failed(error: unknown, frame: ClientFrame): void {
    const id = 'id' in frame ? frame.id : undefined;
    if (error instanceof McError) {
      this.refuse(error.code, error.message, id);
      return;
    }
    this.log.error({ err: error, t: frame.t }, 'frame failed');
    // The cause stays in the log: engine errors name hosts and keys.
    this.refuse('STORAGE_UNAVAILABLE', 'the server could not complete the request', id);
  }
}
