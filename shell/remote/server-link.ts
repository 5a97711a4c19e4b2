import { McError, toMcError } from '../../sdk/protocol/errors.ts';
import {
  AUTH_SUBPROTOCOL_PREFIX,
  DEFAULT_HEARTBEAT_MS,
  SERVER_SUBPROTOCOL,
  SERVER_WS_PATH,
  decodeServerFrame,
  encodeClientFrame,
  type AckFrame,
  type ClientFrame,
  type EditFrame,
  type FollowFrame,
  type JoinFrame,
  type PingFrame,
  type PongFrame,
  type PublishedFrame,
  type PublishFrame,
  type ResumedFrame,
  type ServerFrame,
  type SnapshotFrame,
  type WelcomeFrame,
} from '../../sdk/protocol/server-wire.ts';
import type { IdentityRequest, IdentityToken } from '../../sdk/protocol/identity.ts';
import { backoffDelay, RECONNECT_BASE_MS, RECONNECT_MAX_MS } from './backoff.ts';
import { requestIdentityToken } from './identity-request.ts';
import { deviceId } from './device-id.ts';
import { SendPacer } from './send-pacer.ts';

/**
 * Where a link is: `connecting` (opening the socket or waiting for `welcome`), `online`,
 * `offline` (no connection; it retries with backoff unless stopped) or `refused` (the server
 * refused this user or token; no retry until `start()` is called again).
 */
export type LinkState = 'connecting' | 'online' | 'offline' | 'refused';

/** The part of a WebSocket a link uses: the browser's, or `ws`'s in Node. */
export interface LinkSocket {
  readonly protocol: string;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

/** Opens a socket to `url` offering `protocols`. */
export type SocketFactory = (url: string, protocols: string[]) => LinkSocket;

/** Options of a {@link ServerLink}. */
export interface ServerLinkOptions {
  /** The server's base URL, `http(s):` or `ws(s):`; the link connects to its `/ws`. */
  url: string | URL;
  /** The token to offer; called again before every connection, so an expired one is replaced. */
  getToken: () => string | Promise<string>;
  /** This device's id; default one kept per browser ({@link deviceId}). */
  device?: string;
  /** Opens the socket; default the browser's `WebSocket`. */
  socket?: SocketFactory;
  /** Deadline of each request (`join`, `edit`, `ping`). Default 10 s. */
  requestTimeoutMs?: number;
  /** Deadline from opening a socket to its `welcome`. Default 10 s. */
  connectTimeoutMs?: number;
  /** Heartbeat interval; default the server's (`welcome.heartbeatMs`, bounded to 1 s–2 min). */
  heartbeatMs?: number;
  /** Reconnect backoff: first delay and cap, before jitter (default 500 ms and 30 s). */
  reconnectBaseMs?: number;
  reconnectMaxMs?: number;
  /** Told about frames dropped as invalid, and other failures that do not change the state. */
  onError?: (error: McError) => void;
}

/** Default deadline of a request. */
export const REQUEST_TIMEOUT_MS = 10_000;
/** Default deadline from opening a socket to its `welcome`. */
export const CONNECT_TIMEOUT_MS = 10_000;
/** Heartbeats missed (no frame at all from the server) before the connection counts as dead. */
export const HEARTBEAT_MISSES = 2;

/** Close codes that mean "this user or token is refused", not "the network failed". */
const REFUSAL_CLOSE_CODES = new Set([1008, 4401, 4403]);
const REFUSAL_ERROR_CODES = new Set(['UNAUTHENTICATED', 'NOT_PERMITTED', 'PROTOCOL_MISMATCH']);

/** A request as sent, without its id (the link numbers them). */
export type LinkRequest =
  | Omit<JoinFrame, 'id'>
  | Omit<EditFrame, 'id'>
  | Omit<PingFrame, 'id'>
  | Omit<PublishFrame, 'id'>
  | Omit<FollowFrame, 'id'>;
/** The reply each request gets. */
export interface LinkReplies {
  join: SnapshotFrame;
  edit: AckFrame;
  ping: PongFrame;
  publish: PublishedFrame;
  follow: ResumedFrame;
}
const REPLY_OF = {
  join: 'snapshot',
  edit: 'ack',
  ping: 'pong',
  publish: 'published',
  follow: 'resumed',
} as const;

interface Pending {
  expect: string;
  resolve: (frame: ServerFrame) => void;
  reject: (error: McError) => void;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * The host page's one connection to a microcanvas server: a WebSocket to `/ws` that
 * authenticates with a token offered as a subprotocol (browsers cannot set headers), decodes
 * every frame with the protocol's decoder (a bad frame is dropped and counted, never thrown
 * into the page), matches replies to requests by `id` under a deadline, sends `ping`s and
 * drops a connection that stays silent for {@link HEARTBEAT_MISSES} heartbeats, and
 * reconnects with capped exponential backoff and jitter (at once when the browser comes back
 * online). Pushes (`changed`, `lost`, errors without an id, and members added later) go to
 * {@link onFrame} listeners; {@link onState} tells every state change.
 */
export class ServerLink {
  /** This device's id, sent as `?device=`. */
  readonly device: string;
  readonly #options: ServerLinkOptions;
  readonly #open: SocketFactory;
  #state: LinkState = 'offline';
  #error: McError | undefined;
  #welcome: WelcomeFrame | undefined;
  #socket: LinkSocket | undefined;
  #running = false;
  #attempt = 0;
  #nextId = 1;
  #dropped = 0;
  /** Sends on the current connection at the server's rate (set at `welcome`). */
  #pacer: SendPacer | undefined;
  #lastSeen = 0;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #connectTimer: ReturnType<typeof setTimeout> | undefined;
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  /** A refusal the server sent before closing (an `error` without id). */
  #refusal: McError | undefined;
  readonly #pending = new Map<number, Pending>();
  readonly #stateListeners = new Set<(state: LinkState) => void>();
  readonly #frameListeners = new Set<(frame: ServerFrame) => void>();

  constructor(options: ServerLinkOptions) {
    this.#options = options;
    this.device = options.device ?? deviceId();
    this.#open =
      options.socket ??
      ((url, protocols) => new WebSocket(url, protocols) as unknown as LinkSocket);
  }

  /** The current state. */
  get state(): LinkState {
    return this.#state;
  }

  /** Why the link is `refused` (or why the last connection failed, when the server said). */
  get error(): McError | undefined {
    return this.#error;
  }

  /** The server's `welcome` of the current connection (user, device, limits). */
  get welcome(): WelcomeFrame | undefined {
    return this.#state === 'online' ? this.#welcome : undefined;
  }

  /** Frames dropped because they failed the protocol's checks. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Calls `listener` with each new state; returns the function that stops it. */
  onState(listener: (state: LinkState) => void): () => void {
    this.#stateListeners.add(listener);
    return () => this.#stateListeners.delete(listener);
  }

  /** Calls `listener` with each server frame that is not a reply; returns the function that stops it. */
  onFrame(listener: (frame: ServerFrame) => void): () => void {
    this.#frameListeners.add(listener);
    return () => this.#frameListeners.delete(listener);
  }

  /** Connects, and keeps reconnecting until {@link stop}. Also retries a `refused` link. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#attempt = 0;
    this.#error = undefined;
    globalThis.addEventListener?.('online', this.#onOnline);
    globalThis.addEventListener?.('offline', this.#onOffline);
    void this.#connect();
  }

  /** Closes the connection and stops reconnecting; pending requests reject. */
  stop(): void {
    this.#running = false;
    globalThis.removeEventListener?.('online', this.#onOnline);
    globalThis.removeEventListener?.('offline', this.#onOffline);
    clearTimeout(this.#retryTimer);
    this.#drop(1000, 'stopped');
    this.#setState('offline');
  }

  /**
   * Sends a request and resolves with its reply; rejects with the server's error
   * (`McError` with its code), `CALL_TIMEOUT` after the deadline, `APP_DISCONNECTED` when the
   * connection ends first, or `NOT_READY` when the link is not online.
   */
  request<R extends LinkRequest>(frame: R): Promise<LinkReplies[R['t']]> {
    if (this.#state !== 'online' || !this.#socket) {
      return Promise.reject(new McError('NOT_READY', `server link is ${this.#state}`));
    }
    const id = this.#nextId++;
    return new Promise<LinkReplies[R['t']]>((resolve, reject) => {
      const timeoutMs = this.#options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new McError('CALL_TIMEOUT', `no reply to ${frame.t} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#pending.set(id, {
        expect: REPLY_OF[frame.t],
        resolve: resolve as (frame: ServerFrame) => void,
        reject,
        timer,
      });
      this.#pacer?.push(encodeClientFrame({ ...frame, id } as ClientFrame));
    });
  }

  /**
   * Asks the server for a widget's identity token (`POST /tokens/identity`, with the user's
   * token as `Authorization: Bearer`). Rejects with `NOT_READY` when the link is not online,
   * else with the server's refusal (`NOT_FOUND`, `UNKNOWN_APP`, `RATE_LIMITED`, …) or
   * `CALL_TIMEOUT`. `IdentityRemote` caches what it gives.
   */
  async identityToken(request: IdentityRequest): Promise<IdentityToken> {
    if (this.#state !== 'online') {
      throw new McError('NOT_READY', `server link is ${this.#state}`);
    }
    const token = await this.#options.getToken();
    return requestIdentityToken(
      this.#options.url,
      token,
      request,
      this.#options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS,
    );
  }

  /** Sends a frame that gets no reply (`leave`); false when not online. */
  send(frame: ClientFrame): boolean {
    if (this.#state !== 'online' || !this.#pacer) return false;
    this.#pacer.push(encodeClientFrame(frame));
    return true;
  }

  /** Drops the current connection and reconnects (after the usual backoff). */
  reconnect(): void {
    if (!this.#running) return;
    this.#drop(4000, 'reconnect');
    this.#closed(undefined);
  }

  async #connect(): Promise<void> {
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    if (!this.#running || this.#socket) return;
    this.#setState('connecting');
    this.#refusal = undefined;
    let token: string;
    try {
      token = await this.#options.getToken();
    } catch (error) {
      // A token service that is down is a network failure like any other: try again later.
      this.#report(toMcError(error, 'UNAUTHENTICATED'));
      this.#closed(undefined);
      return;
    }
    if (!this.#running || this.#socket) return;
    const url = new URL(SERVER_WS_PATH, this.#options.url);
    url.protocol = url.protocol === 'https:' || url.protocol === 'wss:' ? 'wss:' : 'ws:';
    url.searchParams.set('device', this.device);
    let socket: LinkSocket;
    try {
      socket = this.#open(url.href, [SERVER_SUBPROTOCOL, AUTH_SUBPROTOCOL_PREFIX + token]);
    } catch (error) {
      // A token that is not a valid subprotocol token (SyntaxError): no server would take it.
      this.#refuse(toMcError(error, 'UNAUTHENTICATED'));
      return;
    }
    this.#socket = socket;
    this.#lastSeen = Date.now();
    socket.onmessage = (event) => this.#onMessage(socket, event.data);
    socket.onclose = (event) => {
      if (this.#socket !== socket) return;
      this.#socket = undefined;
      this.#closed(event);
    };
    socket.onerror = () => {};
    this.#connectTimer = setTimeout(() => {
      if (this.#socket !== socket || this.#state === 'online') return;
      this.#drop(4000, 'no welcome');
      this.#closed(undefined);
    }, this.#options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS);
  }

  #onMessage(socket: LinkSocket, data: unknown): void {
    if (this.#socket !== socket) return;
    this.#lastSeen = Date.now();
    if (typeof data !== 'string') {
      this.#drop1(new McError('MALFORMED_MESSAGE', 'not a text frame'));
      return;
    }
    const decoded = decodeServerFrame(data);
    if (!decoded.ok) {
      this.#drop1(decoded.error);
      return;
    }
    const frame = decoded.frame;
    if (frame.t === 'welcome') {
      if (this.#state === 'online') return;
      if (socket.protocol && socket.protocol !== SERVER_SUBPROTOCOL) {
        this.#refuse(new McError('PROTOCOL_MISMATCH', `server speaks ${socket.protocol}`));
        return;
      }
      clearTimeout(this.#connectTimer);
      this.#welcome = frame;
      this.#attempt = 0;
      this.#error = undefined;
      this.#pacer = new SendPacer((text) => socket.send(text), frame.limits.ratePerSec);
      this.#startHeartbeat(frame.heartbeatMs);
      this.#setState('online');
      return;
    }
    if ('id' in frame && frame.id !== undefined) {
      const pending = this.#pending.get(frame.id);
      if (!pending) {
        this.#drop1(new McError('MALFORMED_MESSAGE', `reply to unknown request ${frame.id}`));
        return;
      }
      this.#pending.delete(frame.id);
      clearTimeout(pending.timer);
      if (frame.t === 'error') pending.reject(toMcError(frame));
      else if (frame.t === pending.expect) pending.resolve(frame);
      else
        pending.reject(new McError('MALFORMED_MESSAGE', `${frame.t} is no reply to this request`));
      return;
    }
    if (frame.t === 'error' && REFUSAL_ERROR_CODES.has(frame.code)) {
      // The server closes right after: the close is then a refusal, not a network failure.
      this.#refusal = toMcError(frame);
    }
    for (const listener of [...this.#frameListeners]) listener(frame);
  }

  #startHeartbeat(serverMs: number): void {
    const every =
      this.#options.heartbeatMs ??
      Math.min(120_000, Math.max(1000, serverMs || DEFAULT_HEARTBEAT_MS));
    clearInterval(this.#heartbeat);
    this.#heartbeat = setInterval(() => {
      // Silent for too long: the connection is dead even if the socket does not know yet
      // (a network that vanished closes nothing for minutes).
      if (Date.now() - this.#lastSeen > every * HEARTBEAT_MISSES + every / 2) {
        this.#drop(4000, 'heartbeat timeout');
        this.#closed(undefined);
        return;
      }
      this.request({ t: 'ping' }).catch(() => {});
    }, every);
  }

  /** After a connection ended (or never started): refused, or retry after backoff. */
  #closed(event: { code: number; reason: string } | undefined): void {
    this.#pacer?.clear();
    this.#pacer = undefined;
    clearTimeout(this.#connectTimer);
    clearInterval(this.#heartbeat);
    this.#rejectAll();
    const wasOnline = this.#state === 'online';
    const refusal =
      this.#refusal ??
      (event && !wasOnline && REFUSAL_CLOSE_CODES.has(event.code)
        ? new McError('UNAUTHENTICATED', event.reason || `refused (close code ${event.code})`)
        : undefined);
    if (refusal) {
      this.#refuse(refusal);
      return;
    }
    if (!this.#running) return;
    this.#setState('offline');
    const delay = backoffDelay(
      this.#attempt++,
      this.#options.reconnectBaseMs ?? RECONNECT_BASE_MS,
      this.#options.reconnectMaxMs ?? RECONNECT_MAX_MS,
    );
    clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => void this.#connect(), delay);
  }

  #refuse(error: McError): void {
    this.#drop(1000, 'refused');
    this.#running = false;
    this.#error = error;
    this.#setState('refused');
  }

  /** Closes the current socket, if any, without waiting for its close event. */
  #drop(code: number, reason: string): void {
    const socket = this.#socket;
    this.#socket = undefined;
    this.#pacer?.clear();
    this.#pacer = undefined;
    clearTimeout(this.#connectTimer);
    clearInterval(this.#heartbeat);
    if (socket) {
      socket.onmessage = socket.onclose = socket.onerror = null;
      try {
        socket.close(code, reason);
      } catch {
        // Already closing or closed.
      }
    }
    this.#rejectAll();
  }

  #rejectAll(): void {
    for (const [id, pending] of this.#pending) {
      clearTimeout(pending.timer);
      this.#pending.delete(id);
      pending.reject(new McError('APP_DISCONNECTED', 'the server connection ended'));
    }
  }

  #drop1(error: McError): void {
    this.#dropped++;
    this.#report(error);
  }

  #report(error: McError): void {
    try {
      this.#options.onError?.(error);
    } catch {
      // A listener's failure is not the link's.
    }
  }

  #setState(state: LinkState): void {
    if (state === this.#state) return;
    this.#state = state;
    for (const listener of [...this.#stateListeners]) listener(state);
  }

  #onOnline = (): void => {
    if (this.#running && !this.#socket) {
      this.#attempt = 0;
      void this.#connect();
    }
  };

  /** The browser knows the network is gone: do not wait for heartbeats to find out. */
  #onOffline = (): void => {
    if (!this.#socket) return;
    this.#drop(4000, 'offline');
    this.#closed(undefined);
  };
}
