/**
 * The clients of the fan-out bench, all in the bench process so that every timestamp comes
 * from one clock (performance.now): followers that record each event's latency and check
 * its offset against the previous one (gaps, duplicates), and paced publishers. The same
 * follower code reads the raw baseline's broadcast, which carries the same event frames.
 */
import { WebSocket } from 'ws';

import { SERVER_SUBPROTOCOL, SERVER_WS_PATH } from '../../sdk/protocol/server-wire.ts';

/** Where the deliveries of the running phase go. */
export class Recorder {
  latencies: number[] = [];
  delivered = 0;
  firstSentAt = 0;
  lastAt = 0;

  reset(): void {
    this.latencies = [];
    this.delivered = 0;
    this.firstSentAt = 0;
    this.lastAt = 0;
  }
}

/** How to reach a server. `token` undefined: the raw baseline (no subprotocol). */
export interface Target {
  readonly url: string;
  readonly origin: string;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `done` every 5 ms; false when `ms` passed first. */
export async function until(done: () => boolean, ms: number): Promise<boolean> {
  const deadline = performance.now() + ms;
  while (!done()) {
    if (performance.now() > deadline) return false;
    await sleep(5);
  }
  return true;
}

/** Runs `work` over `items`, `width` at a time. */
export async function pool<T>(items: T[], width: number, work: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

let devices = 0;

/** One socket: a microcanvas device (with a token) or a raw client (without). */
class Socket {
  ws: WebSocket | undefined;
  readonly device = `bench-${process.pid}-${++devices}`;
  readonly #target: Target;
  readonly #token: string | undefined;
  #waiters = new Map<number | string, (frame: Frame) => void>();

  constructor(target: Target, token: string | undefined) {
    this.#target = target;
    this.#token = token;
  }

  /** Opens the socket; resolves on `welcome` (microcanvas) or on open (raw). */
  open(): Promise<void> {
    const url = new URL(SERVER_WS_PATH, this.#target.url.replace(/^http/, 'ws'));
    url.searchParams.set('device', this.device);
    const protocols = this.#token === undefined ? [] : [SERVER_SUBPROTOCOL, `auth.${this.#token}`];
    const ws = new WebSocket(url, protocols, {
      headers: { origin: this.#target.origin },
      perMessageDeflate: false,
    });
    this.ws = ws;
    ws.on('message', (data) => this.onFrame(JSON.parse(String(data)) as Frame));
    ws.on('error', () => {});
    return new Promise((resolve, reject) => {
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      ws.once('close', () => reject(new Error('closed before welcome')));
      if (this.#token === undefined) ws.once('open', () => resolve());
      else this.#waiters.set('welcome', () => resolve());
    });
  }

  /** Sends a request and resolves with its reply (by `id`). */
  request(frame: { id: number } & Record<string, unknown>): Promise<Frame> {
    return new Promise((resolve) => {
      this.#waiters.set(frame.id, resolve);
      this.ws!.send(JSON.stringify(frame));
    });
  }

  protected onFrame(frame: Frame): void {
    const key = frame.id ?? frame.t;
    const waiter = this.#waiters.get(key);
    if (waiter === undefined) {
      if (frame.t === 'error' || frame.t === 'gap') console.error('bench client got', frame);
      return;
    }
    this.#waiters.delete(key);
    waiter(frame);
  }
}

/** The fields of server frames the bench reads. */
interface Frame {
  readonly t: string;
  readonly id?: number;
  readonly epoch?: string;
  readonly offset?: number;
  readonly data?: string;
  readonly recovered?: boolean;
}

/** A follower: records latency of every event and checks offsets follow one another. */
export class Follower extends Socket {
  readonly #recorder: Recorder;
  epoch = '';
  last: number | undefined;
  gaps = 0;
  duplicates = 0;
  received = 0;
  unrecovered = 0;

  constructor(target: Target, token: string | undefined, recorder: Recorder) {
    super(target, token);
    this.#recorder = recorder;
  }

  /** Follows `space` from where this follower is (or from now). */
  async follow(space: string, id: number): Promise<void> {
    const from = this.last === undefined ? {} : { from: { epoch: this.epoch, offset: this.last } };
    const resumed = await this.request({ t: 'follow', id, space, ...from });
    if (resumed.t !== 'resumed') throw new Error(`follow: ${JSON.stringify(resumed)}`);
    if (this.last !== undefined && !resumed.recovered) {
      // History lost: what it missed is counted as a gap, then it goes on from the head.
      this.unrecovered++;
      this.gaps += Math.max(0, resumed.offset! - this.last);
      this.last = resumed.offset!;
    }
    if (this.last === undefined) this.last = resumed.offset!;
    this.epoch = resumed.epoch!;
  }

  protected override onFrame(frame: Frame): void {
    if (frame.t !== 'event') return super.onFrame(frame);
    const now = performance.now();
    const { ts } = JSON.parse(frame.data!) as { ts: number };
    const offset = frame.offset!;
    this.received++;
    if (this.last !== undefined) {
      if (offset <= this.last) this.duplicates++;
      else if (offset > this.last + 1) this.gaps += offset - this.last - 1;
    }
    if (this.last === undefined || offset > this.last) this.last = offset;
    this.epoch = frame.epoch!;
    const recorder = this.#recorder;
    recorder.latencies.push(now - ts);
    recorder.delivered++;
    recorder.lastAt = now;
  }
}

/** Publishes in flight at most, half the server's bound of pending requests (64). */
const WINDOW = 32;

/**
 * A publisher at a fixed pace. Against microcanvas it sends `publish` frames and counts the
 * `published` replies; against the raw baseline it sends the `event` frame the server would
 * push (same shape, same data), which the raw server relays as it is.
 */
export class Publisher extends Socket {
  readonly #raw: boolean;
  readonly #space: string;
  #id = 0;
  sent = 0;
  acked = 0;
  lastOffset = 0;

  constructor(target: Target, token: string | undefined, space: string) {
    super(target, token);
    this.#raw = token === undefined;
    this.#space = space;
  }

  /**
   * Sends one event stamped with the time of sending; waits first while WINDOW publishes are
   * unanswered (a client that sent more than the server's pending bound would be cut).
   */
  async publish(seq: number, pad: string): Promise<void> {
    if (!this.#raw && this.sent - this.acked >= WINDOW) {
      await until(() => this.sent - this.acked < WINDOW, 60_000);
    }
    const id = ++this.#id;
    const msgId = `${this.device}-${id}`;
    const data = JSON.stringify({ ts: performance.now(), seq, pad });
    const common = { space: this.#space, msgId, app: 'bench', topic: 'bench.tick.sent', data };
    if (this.#raw) {
      const by = { user: 'pub', device: this.device };
      this.ws!.send(JSON.stringify({ t: 'event', epoch: 'raw', offset: seq, ...common, by }));
      return;
    }
    this.sent++;
    void this.request({ t: 'publish', id, ...common }).then((reply) => {
      if (reply.t !== 'published') throw new Error(`publish: ${JSON.stringify(reply)}`);
      this.acked++;
      this.lastOffset = Math.max(this.lastOffset, reply.offset!);
    });
  }
}

/**
 * Calls `send(i)` for i in 0..n-1 at `perSec`, on an absolute schedule (a late tick does
 * not delay the following ones).
 */
export async function paced(
  n: number,
  perSec: number,
  send: (i: number) => Promise<void>,
): Promise<void> {
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    const wait = start + (i * 1000) / perSec - performance.now();
    if (wait > 0) await sleep(wait);
    await send(i);
  }
}
