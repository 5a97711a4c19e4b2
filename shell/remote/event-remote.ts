import { McError } from '../../sdk/protocol/errors.ts';
import type { RemoteEvent, SyncedEvent } from '../../sdk/protocol/broker-control.ts';
import type {
  PublishFrame,
  ResumedFrame,
  ServerFrame,
  StreamPosition,
} from '../../sdk/protocol/server-wire.ts';
import type { Host } from '../host/host.ts';
import type { LinkState, ServerLink } from './server-link.ts';

/** Options of an {@link EventRemote}. */
export interface EventRemoteOptions {
  /** The server connection, shared with the canvas's `CanvasRemote`. */
  link: ServerLink;
  /** The space whose event stream this canvas follows. */
  space: string;
  /** Events kept while offline or unacknowledged; beyond, the oldest are dropped (counted). */
  maxQueued?: number;
  /** Told about failures that do not stop syncing (a refused publish, a broker call). */
  onError?: (error: McError) => void;
}

/** Default of {@link EventRemoteOptions.maxQueued}. */
export const MAX_QUEUED_EVENTS = 1_000;
/** Own message ids remembered, to recognise this page's events coming back: the retention's. */
const MAX_OWN_IDS = 10_000;
/** Errors after which the same publish may succeed on a new connection. */
const TRANSIENT = new Set(['APP_DISCONNECTED', 'NOT_READY', 'CALL_TIMEOUT']);
/**
 * The share of the server's frame rate (`welcome.limits.ratePerSec`) publishing may use: the
 * rest is for canvas edits and pings. Frames over the server's rate are dropped unread, and
 * a flood of them cuts the connection, so a widget's burst must never reach it unpaced.
 */
const RATE_SHARE = 0.5;
/** The rate assumed before the server said (its default is 50 frames/s). */
const DEFAULT_RATE_PER_SEC = 50;
/** Wait before trying a publish again after a timeout, while the link stays online. */
const RETRY_MS = 1_000;

/** Counters for tests and devtools. */
export interface EventRemoteStats {
  /** Forwarded by the broker and acknowledged by the server. */
  sent: number;
  /** Handed to the broker from the server (the broker checks them again). */
  received: number;
  /** This page's own events coming back from the server, not handed to the broker. */
  echoes: number;
  /** Dropped from a full queue while offline. */
  dropped: number;
  /** Times the server said history was lost (`recovered: false` after a position). */
  resyncs: number;
}

/**
 * Event sync for one canvas (docs/decisions/0016-event-sync.md): what the host's broker
 * forwards (manifest `sync`) is published to the space's stream with a message id of its
 * own, kept in order until the server acknowledges it and sent again with the same id after a
 * reconnect (the server stores it once); the stream is followed from the last offset received,
 * and its events go to the broker, which checks each against the local manifests and delivers
 * it once. When the server says history was lost, the broker adopts the space's public states
 * and tells syncing widgets they missed events.
 */
export class EventRemote {
  readonly space: string;
  readonly stats: EventRemoteStats = { sent: 0, received: 0, echoes: 0, dropped: 0, resyncs: 0 };
  readonly #host: Pick<Host, 'events'>;
  readonly #link: ServerLink;
  readonly #maxQueued: number;
  readonly #onError: (error: McError) => void;
  /** Events to publish, oldest first, each with its message id; removed when acknowledged. */
  readonly #queue: Array<Omit<PublishFrame, 'id'>> = [];
  readonly #own = new Set<string>();
  #inbound: RemoteEvent[] = [];
  #position: StreamPosition | undefined;
  #pumping = false;
  #retry: ReturnType<typeof setTimeout> | undefined;
  /** Publish tokens left, and when they were last counted (a token bucket). */
  #tokens = -1;
  #countedAt = 0;
  #followSeq = 0;
  #stops: Array<() => void> = [];

  constructor(host: Pick<Host, 'events'>, options: EventRemoteOptions) {
    this.#host = host;
    this.#link = options.link;
    this.space = options.space;
    this.#maxQueued = options.maxQueued ?? MAX_QUEUED_EVENTS;
    this.#onError = options.onError ?? (() => {});
  }

  /** Where this canvas is in the space's stream: the last event received. */
  get position(): StreamPosition | undefined {
    return this.#position;
  }

  /** Events waiting for the server's acknowledgement. */
  get queued(): number {
    return this.#queue.length;
  }

  /** Starts forwarding and following (starts the link if it is not running). */
  start(): void {
    if (this.#stops.length > 0) return;
    this.#host.events.uplink((batch) => this.#forward(batch));
    this.#stops.push(
      () => this.#host.events.uplink(undefined),
      this.#link.onState(this.#onLinkState),
      this.#link.onFrame(this.#onFrame),
    );
    this.#link.start();
    this.#onLinkState(this.#link.state);
  }

  /** Stops; events still queued are kept for a later start. */
  stop(): void {
    clearTimeout(this.#retry);
    for (const stop of this.#stops.splice(0)) stop();
    this.#followSeq++;
    if (this.#link.state === 'online') this.#link.send({ t: 'unfollow', space: this.space });
  }

  #forward(batch: SyncedEvent[]): void {
    for (const event of batch) {
      const msgId = newMsgId();
      this.#own.add(msgId);
      if (this.#own.size > MAX_OWN_IDS) this.#own.delete(this.#own.values().next().value!);
      const frame: Omit<PublishFrame, 'id'> = {
        t: 'publish',
        space: this.space,
        msgId,
        app: event.app,
        data: event.data,
      };
      if (event.topic !== undefined) frame.topic = event.topic;
      this.#queue.push(frame);
      if (this.#queue.length > this.#maxQueued) {
        this.#queue.shift();
        this.stats.dropped++;
      }
    }
    void this.#pump();
  }

  /**
   * Publishes the queue in order, one acknowledgement at a time, paced to a share of the
   * server's frame rate; stops when offline (the link coming back restarts it) and retries
   * after a timeout.
   */
  async #pump(): Promise<void> {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      while (this.#queue.length > 0 && this.#link.state === 'online') {
        await this.#pace();
        if (this.#link.state !== 'online') return;
        const frame = this.#queue[0]!;
        try {
          await this.#link.request(frame);
          this.stats.sent++;
        } catch (error) {
          const e =
            error instanceof McError ? error : new McError('MALFORMED_MESSAGE', String(error));
          // Sent again, with the same message id (the server stores it once).
          if (TRANSIENT.has(e.code)) {
            clearTimeout(this.#retry);
            this.#retry = setTimeout(() => void this.#pump(), RETRY_MS);
            return;
          }
          this.#onError(e);
        }
        if (this.#queue[0] === frame) this.#queue.shift();
      }
    } finally {
      this.#pumping = false;
    }
  }

  /** Waits for a publish token: {@link RATE_SHARE} of the server's rate, as a bucket as deep. */
  async #pace(): Promise<void> {
    const rate = (this.#link.welcome?.limits.ratePerSec ?? DEFAULT_RATE_PER_SEC) * RATE_SHARE;
    const now = Date.now();
    if (this.#tokens < 0) this.#tokens = rate;
    this.#tokens = Math.min(rate, this.#tokens + ((now - this.#countedAt) / 1000) * rate);
    this.#countedAt = now;
    if (this.#tokens < 1) {
      await new Promise((resolve) => setTimeout(resolve, ((1 - this.#tokens) / rate) * 1000));
      this.#tokens = 1;
      this.#countedAt = Date.now();
    }
    this.#tokens -= 1;
  }

  #onLinkState = (state: LinkState): void => {
    if (state !== 'online') {
      this.#followSeq++;
      return;
    }
    void this.#follow();
    void this.#pump();
  };

  async #follow(): Promise<void> {
    const seq = ++this.#followSeq;
    const from = this.#position;
    let resumed: ResumedFrame;
    try {
      resumed = await this.#link.request({
        t: 'follow',
        space: this.space,
        ...(from === undefined ? {} : { from }),
      });
    } catch (error) {
      if (error instanceof McError && !TRANSIENT.has(error.code)) this.#onError(error);
      // A follow that timed out on a live link is tried again; a refusal is not.
      else if (seq === this.#followSeq && this.#link.state === 'online') {
        setTimeout(() => {
          if (seq === this.#followSeq && this.#link.state === 'online') void this.#follow();
        }, RETRY_MS);
      }
      return;
    }
    if (seq !== this.#followSeq) return;
    this.#resumed(resumed, from !== undefined);
  }

  /**
   * Where the stream is now. Not recovered: the broker takes the space's states, and, when
   * this canvas had a position (it has missed events, not merely never followed), its
   * syncing widgets are told.
   */
  #resumed(frame: ResumedFrame, hadPosition: boolean): void {
    if (frame.recovered) return;
    this.#flush();
    if (hadPosition) this.stats.resyncs++;
    this.#position = { epoch: frame.epoch, offset: frame.offset };
    const states = (frame.states ?? []).map(({ app, data }) => ({ app, data }));
    this.#host.events.resync(this.space, states, hadPosition).catch(this.#report);
  }

  #onFrame = (frame: ServerFrame): void => {
    if (frame.t === 'resumed' && frame.space === this.space && frame.id === undefined) {
      this.#resumed(frame, true);
      return;
    }
    if (frame.t !== 'event' || frame.space !== this.space) return;
    this.#position = { epoch: frame.epoch, offset: frame.offset };
    if (this.#own.has(frame.msgId)) {
      this.stats.echoes++;
      return;
    }
    const event: RemoteEvent = {
      space: frame.space,
      epoch: frame.epoch,
      offset: frame.offset,
      app: frame.app,
      data: frame.data,
    };
    if (frame.topic !== undefined) event.topic = frame.topic;
    if (this.#inbound.push(event) === 1) queueMicrotask(() => this.#flush());
  };

  /** Hands what arrived in this turn to the broker as one call. */
  #flush(): void {
    const batch = this.#inbound;
    if (batch.length === 0) return;
    this.#inbound = [];
    this.stats.received += batch.length;
    this.#host.events.deliver(batch).catch(this.#report);
  }

  #report = (error: unknown): void => {
    this.#onError(
      error instanceof McError ? error : new McError('BROKER_UNAVAILABLE', String(error)),
    );
  };
}

/** A message id: random, URL-safe, 22 characters. */
function newMsgId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}
