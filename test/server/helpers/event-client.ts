import { WebSocket } from 'ws';

import {
  decodeServerFrame,
  encodeClientFrame,
  SERVER_SUBPROTOCOL,
  type ClientFrame,
  type ErrorFrame,
  type EventFrame,
  type GapFrame,
  type ResumedFrame,
  type StreamPosition,
} from '../../../sdk/protocol/index.ts';
import { signToken } from '../../../server/transport/index.ts';
import { deviceId, ORIGIN, SECRET } from './ws-client.ts';

/** A publish the server has not acknowledged yet: resent with the same msgId until it is. */
interface Pending {
  readonly msgId: string;
  readonly n: number;
  readonly resolve: (at: StreamPosition) => void;
  readonly reject: (error: Error) => void;
}

/**
 * A host page's event sync as the fault tests need it, speaking the real protocol over `ws`:
 * it follows one space, remembers the last (epoch, offset) it received, and when its socket
 * dies reconnects (to whatever `where()` names then, e.g. the surviving process) with
 * `follow {from}`, then resends every publish not yet acknowledged with its msgId. It keeps
 * EVERY event frame as delivered and de-duplicates nothing: the tests count what the server
 * sent, gaps and duplicates included.
 */
export class EventClient {
  readonly user: string;
  readonly space: string;
  readonly device = deviceId();
  /** Every event frame received, in arrival order, across connections. */
  readonly events: EventFrame[] = [];
  /** Every `resumed` frame (replies and pushes). */
  readonly resumes: ResumedFrame[] = [];
  readonly errors: ErrorFrame[] = [];
  readonly gaps: GapFrame[] = [];
  /** Where each acknowledged publish was stored, by its `n`. */
  readonly acked = new Map<number, StreamPosition>();
  /** Connections opened (the first included), and the URL of each. */
  readonly connectedTo: string[] = [];
  /** Publishes resent after a reconnect (with their msgId: the server stores them once). */
  resent = 0;
  /** The last position received (event or resumed without recovery). */
  position: StreamPosition | undefined;
  readonly #where: () => string;
  readonly #pending = new Map<string, Pending>();
  readonly #requests = new Map<number, string>();
  #ws: WebSocket | undefined;
  #nextId = 1;
  #stopped = false;
  #away = false;
  #followed: (() => void) | undefined;

  private constructor(user: string, space: string, where: () => string) {
    this.user = user;
    this.space = space;
    this.#where = where;
  }

  /** Connects to `where()` and follows `space` from now; resolves once followed. */
  static async start(user: string, space: string, where: () => string): Promise<EventClient> {
    const client = new EventClient(user, space, where);
    await client.#connect();
    return client;
  }

  /**
   * Publishes event `n`; resolves with where it was stored, however many tries it took
   * (STORAGE_UNAVAILABLE is tried again), or rejects with another refusal's code.
   */
  publish(n: number): Promise<StreamPosition> {
    const msgId = `${this.device}-n${n}`;
    return new Promise((resolve, reject) => {
      this.#pending.set(msgId, {
        msgId,
        n,
        resolve: (at) => {
          this.acked.set(n, at);
          resolve(at);
        },
        reject,
      });
      this.#send(msgId);
    });
  }

  /** Publishes not yet acknowledged. */
  get unacknowledged(): number {
    return this.#pending.size;
  }

  /** Goes offline: closes the socket and stays away until {@link online}. */
  async offline(): Promise<void> {
    this.#away = true;
    const ws = this.#ws;
    if (ws === undefined) return;
    const closed = new Promise((resolve) => ws.once('close', resolve));
    ws.close();
    await closed;
  }

  /** Comes back: reconnects to `where()` and follows from the last position received. */
  online(): Promise<void> {
    this.#away = false;
    return this.#connect();
  }

  /** Closes for good (no reconnect). */
  stop(): void {
    this.#stopped = true;
    this.#ws?.close();
  }

  #send(msgId: string): void {
    const pending = this.#pending.get(msgId);
    const ws = this.#ws;
    if (pending === undefined || ws === undefined || ws.readyState !== WebSocket.OPEN) return;
    const id = this.#nextId++;
    this.#requests.set(id, msgId);
    this.#frame(ws, {
      t: 'publish',
      id,
      space: this.space,
      msgId,
      app: 'todo',
      topic: 'todo.item.completed',
      data: JSON.stringify({ n: pending.n, device: this.device }),
    });
  }

  #frame(ws: WebSocket, frame: ClientFrame): void {
    ws.send(encodeClientFrame(frame));
  }

  /** Opens a socket to `where()` until one opens, then follows and resends. */
  async #connect(): Promise<void> {
    for (;;) {
      if (this.#stopped) return;
      try {
        await this.#open(this.#where());
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  }

  async #open(url: string): Promise<void> {
    const token = await signToken(SECRET, this.user);
    const ws = new WebSocket(
      `${url.replace('http', 'ws')}/ws?device=${this.device}`,
      [SERVER_SUBPROTOCOL, `auth.${token}`],
      { origin: ORIGIN },
    );
    const followed = new Promise<void>((resolve, reject) => {
      this.#followed = resolve;
      ws.once('error', reject);
      ws.once('close', () => reject(new Error('closed before following')));
    });
    ws.on('message', (data) => this.#onFrame(String(data)));
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    this.#ws = ws;
    this.connectedTo.push(url);
    const id = this.#nextId++;
    this.#frame(ws, {
      t: 'follow',
      id,
      space: this.space,
      ...(this.position === undefined ? {} : { from: this.position }),
    });
    // Frames of one connection are handled in order: the follow first, then the resends.
    for (const msgId of this.#pending.keys()) {
      this.resent++;
      this.#send(msgId);
    }
    await followed;
    ws.on('error', () => {});
    ws.once('close', () => {
      if (this.#ws === ws) this.#ws = undefined;
      if (!this.#stopped && !this.#away) void this.#connect();
    });
  }

  #onFrame(text: string): void {
    const decoded = decodeServerFrame(text);
    if (!decoded.ok) throw new Error(`undecodable server frame: ${decoded.error.message}`);
    const frame = decoded.frame;
    switch (frame.t) {
      case 'event':
        this.events.push(frame);
        this.position = { epoch: frame.epoch, offset: frame.offset };
        return;
      case 'resumed':
        this.resumes.push(frame);
        if (!frame.recovered) this.position = { epoch: frame.epoch, offset: frame.offset };
        if (frame.id !== undefined) this.#followed?.();
        return;
      case 'published': {
        const msgId = this.#requests.get(frame.id);
        this.#requests.delete(frame.id);
        const pending = msgId === undefined ? undefined : this.#pending.get(msgId);
        if (pending === undefined) return; // a resend's second answer
        this.#pending.delete(pending.msgId);
        pending.resolve({ epoch: frame.epoch, offset: frame.offset });
        return;
      }
      case 'error': {
        this.errors.push(frame);
        const msgId = frame.id === undefined ? undefined : this.#requests.get(frame.id);
        if (msgId === undefined) return;
        this.#requests.delete(frame.id!);
        // Not stored while the engine is down: try again shortly.
        if (frame.code === 'STORAGE_UNAVAILABLE') {
          setTimeout(() => this.#send(msgId), 100);
          return;
        }
        const pending = this.#pending.get(msgId);
        this.#pending.delete(msgId);
        pending?.reject(new Error(frame.code));
        return;
      }
      case 'gap':
        this.gaps.push(frame);
        return;
      default:
        return;
    }
  }
}

/**
 * What one follower received against the stream as stored (`expected`: msgIds in offset
 * order): the counts. `gaps`: stored events it never got; `duplicated`: events it got
 * more than once; `inOrder`: its sequence is exactly the stored one.
 */
export function tally(client: EventClient, expected: readonly string[]) {
  const got = client.events.map((e) => e.msgId);
  const seen = new Set(got);
  return {
    received: got.length,
    gaps: expected.filter((m) => !seen.has(m)).length,
    duplicated: got.length - seen.size,
    inOrder: got.length === expected.length && got.every((m, i) => m === expected[i]),
  };
}
