import type { CallOptions, Connection, RemoteProxy, Reply, WindowMessenger } from 'penpal';

import {
  encodeFrameParams,
  McError,
  PROTOCOL_VERSION,
  PULSE_INTERVAL_MS,
  serializeError,
  toMcError,
  type ErrorCode,
  type SerializedMcError,
  type HelloReply,
  type HostMethods,
  type Manifest,
  type Receiver,
  type ServiceMethods,
  type TeardownReason,
  type WidgetMethods,
} from '../../sdk/protocol/index.ts';
import type { Host } from '../host/host.ts';
import type { ServiceSurface } from '../services/service-surface.ts';
import type { SessionServices } from '../services/session-services.ts';
import { Heartbeat, HEARTBEAT_MISSES } from './heartbeat.ts';
import { HelloGuard } from './hello-guard.ts';
import { loadPenpal, type Penpal } from './penpal-loader.ts';
import { createNonce } from './nonce.ts';

/** Where a widget slot stands. `epoch` counts the sessions of this mount, from 1. */
/** How long after the history guard's restore a frame's `load` is taken for its traversal. */
const TRAVERSAL_LOAD_MS = 2000;

export type FrameStatus =
  | { state: 'loading' }
  | { state: 'connected'; epoch: number }
  | { state: 'unresponsive'; epoch: number }
  | { state: 'crashed'; epoch: number }
  | { state: 'suspended' }
  | { state: 'quarantined'; message: string }
  | { state: 'error'; code: ErrorCode; message: string };

/** What a mount reports besides its status. */
export type SessionChange =
  'connected' | 'reconnected' | 'disconnected' | 'unresponsive' | 'crashed' | 'responsive';

/**
 * A widget whose pulse (its SDK's Worker) was silent this long while heartbeats went
 * unanswered has lost its process: `crashed`, not merely busy (`unresponsive`).
 */
export const PULSE_SILENCE_MS = PULSE_INTERVAL_MS * 8;

/** What usually keeps a widget from saying hello; hello-probe.ts then finds which it was. */
const HELLO_CAUSES =
  'usually its scripts blocked by CORS (they need Access-Control-Allow-Origin: *), a wrong URL, or no connect() call (docs/errors.md)';

/** New sessions allowed per {@link RECONNECT_WINDOW_MS} before the slot is quarantined. */
export const MAX_RECONNECTS = 3;
export const RECONNECT_WINDOW_MS = 60_000;

/**
 * One widget mount. Points the (already sandboxed, already attached) iframe at the app URL
 * with a fresh nonce in the fragment, answers the penpal handshake from that iframe's
 * window only, checks `hello`, and hands the widget a private port to the broker.
 *
 * Every accepted `hello` starts a new session: the broker connection is replaced, so grants
 * come fresh from the manifest and nothing is inherited. A document that loads without
 * saying hello (a reload, a self-navigation) ends the session it replaced. Reconnect storms
 * are capped: past {@link MAX_RECONNECTS} a minute the slot is quarantined.
 */
export class FrameSession {
  readonly nonce = createNonce();
  #status: FrameStatus = { state: 'loading' };
  #connection: Connection<WidgetMethods> | undefined;
  /** penpal, once loaded (the first mount loads it: docs/decisions/0012-performance.md). */
  #penpal: Penpal | undefined;
  #remote: RemoteProxy<WidgetMethods> | undefined;
  #iframe: HTMLIFrameElement | undefined;
  #deadline: ReturnType<typeof setTimeout> | undefined;
  #heartbeat: Heartbeat | undefined;
  #services: SessionServices | undefined;
  /**
   * The session's pulse port (docs/decisions/0021-crash-or-hang.md), and its last beat:
   * undefined until the first, since a Worker that has not started yet (its start waits on
   * the widget's main thread, which may be spinning) says nothing of a crash.
   */
  #pulse: MessagePort | undefined;
  #lastPulse: number | undefined;
  #epoch = 0;
  #loads = 0;
  #hellos = 0;
  /** Until when a `load` is the history guard's traversal, not a new document. */
  #traversalUntil = -Infinity;
  #reconnects: number[] = [];
  /** A load already counted the reconnect that the next hello completes. */
  #reloadCounted = false;
  #attached = false;
  #ended = false;
  readonly #wrongHellos: HelloGuard;
  /** Host → widget calls waiting for an answer: each ends with the error it is given. */
  readonly #calls = new Set<(error: unknown) => void>();

  constructor(
    readonly host: Host,
    readonly manifest: Manifest,
    readonly slotId: string,
    readonly onStatus: (status: FrameStatus, change?: SessionChange) => void,
    /** The slot's element, for host services that draw or size (resize, modal, shortcuts). */
    readonly surface?: ServiceSurface,
  ) {
    // Into the broker's log, like every other violation: host.violations() and devtools
    // list it, and it comes back as `mc-violation`.
    this.#wrongHellos = new HelloGuard(manifest.id, slotId, host.connectTimeoutMs, (v) =>
      host.reportViolation(v),
    );
  }

  get status(): FrameStatus {
    return this.#status;
  }

  /** Calls to the widget waiting for an answer (heartbeats, host → widget calls). */
  get pendingCalls(): number {
    return (this.#heartbeat?.pendingCalls ?? 0) + this.#calls.size;
  }

  /**
   * Calls `method` of the widget (what its app answers with `handle()`), with a deadline.
   * Resolves with the widget's answer: its word, untrusted. Rejects with McError:
   * `CALL_TIMEOUT` after `timeoutMs`, `APP_DISCONNECTED` when there is no session or it ends
   * first, `NOT_FOUND` for a method the widget does not handle, `CALL_FAILED` (or the code
   * the widget gives) when its handler failed.
   */
  call(method: string, args: unknown[] = [], timeoutMs = WIDGET_CALL_TIMEOUT_MS): Promise<unknown> {
    return this.#call((remote, options) => remote.call(method, args, options), timeoutMs);
  }

  /**
   * Tells the widget it is about to go (`unmount`) or the page is hiding (`pagehide`), and
   * resolves when its teardown handlers settled (true), or with false at once when it has
   * none or no session, and after `graceMs` when it does not answer. Never rejects.
   */
  teardown(reason: TeardownReason, graceMs: number): Promise<boolean> {
    return this.#call((remote, options) => remote.teardown(reason, options), graceMs).then(
      () => true,
      () => false,
    );
  }

  /**
   * The broker Worker was replaced (it died) and this session's port died with it: hands the
   * widget a port to the new broker in the same session and epoch, and its SDK asks again
   * for its subscriptions, watches and waiting requests (docs/decisions/0034-reattach.md).
   * Resolves false when it could not: no live session, an SDK without `reattach`, no answer
   * within `timeoutMs`; the caller remounts the widget then. Never rejects.
   */
  async reattach(timeoutMs = WIDGET_CALL_TIMEOUT_MS): Promise<boolean> {
    // A live session answering its heartbeat (a hung one would miss the deadline; a
    // destroyed one is no slot's any more).
    if (this.#status.state !== 'connected') return false;
    const epoch = this.#epoch;
    const { port1, port2 } = new MessageChannel();
    try {
      // Calls to the broker keep their order: a hello after this one attaches after it, and
      // its port replaces this one in the broker.
      await this.host.attach(this.slotId, this.manifest.id, port1);
      if (epoch !== this.#epoch) return true;
      await this.#call((remote, options) => remote.reattach(port2, options), timeoutMs, [port2]);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * One host → widget call, with penpal's deadline; it rejects with `APP_DISCONNECTED` when
   * the session ends first, whatever the widget does (docs/decisions/0025-host-to-widget-calls.md).
   */
  #call(
    invoke: (remote: RemoteProxy<WidgetMethods>, options: CallOptions) => Promise<unknown>,
    timeoutMs: number,
    transferables?: Transferable[],
  ): Promise<unknown> {
    const remote = this.#attached ? this.#remote : undefined;
    if (!remote) return Promise.reject(new McError('APP_DISCONNECTED', 'no session'));
    return new Promise((resolve, reject) => {
      const end = (error: unknown) => this.#calls.delete(end) && reject(widgetError(error));
      this.#calls.add(end);
      const options = new this.#penpal!.CallOptions({ timeout: timeoutMs, transferables });
      invoke(remote, options).then((value) => this.#calls.delete(end) && resolve(value), end);
    });
  }

  /** Sessions started so far. */
  get epoch(): number {
    return this.#epoch;
  }

  /**
   * Starts the mount: the iframe must already be in the document with its sandbox set. The
   * handshake deadline runs from here; the frame is pointed at the app once penpal (loaded
   * with the first mount, not with the page) is listening for its hello.
   */
  start(iframe: HTMLIFrameElement, watched: Element = iframe): void {
    const remoteWindow = iframe.contentWindow;
    if (!remoteWindow) throw new McError('INVALID_ARGUMENT', 'iframe is not in the document');
    this.#iframe = iframe;
    this.host.track(this, true);
    this.#armDeadline();
    // Host services: only those the manifest grants are added (docs/services.md).
    const services = this.host.services.bind({
      manifest: this.manifest,
      slotId: this.slotId,
      surface: this.surface,
      live: () => this.#attached && !this.#ended,
      pushContext: (context) => {
        if (!this.#remote || !this.#penpal) return;
        const options = new this.#penpal.CallOptions({ timeout: 5000 });
        void this.#remote.context(context, options).catch(() => {});
      },
    });
    // A failed load leaves the mount to its handshake deadline (HANDSHAKE_TIMEOUT); services
    // bound meanwhile are let go (their context listener would keep the session alive).
    void Promise.all([loadPenpal(), services]).then(
      ([penpal, bound]) => {
        if (this.#ended) bound.destroy();
        else this.#begin(penpal, bound, iframe, remoteWindow, watched);
      },
      () =>
        services.then(
          (bound) => bound.destroy(),
          () => undefined,
        ),
    );
  }

  #begin(
    penpal: Penpal,
    services: SessionServices,
    iframe: HTMLIFrameElement,
    remoteWindow: Window,
    watched: Element,
  ): void {
    this.#penpal = penpal;
    this.#services = services;
    // A null-prototype table: penpal looks methods up by name, and inherited names such as
    // `constructor` or `toString` must not resolve to anything.
    const methods: Partial<Receiver<HostMethods & ServiceMethods>> = Object.create(null);
    methods.hello = (nonce, version) => this.#hello(nonce, version);
    methods.pulse = (port) => this.#onPulsePort(port);
    Object.assign(methods, services.methods);
    this.#connection = penpal.connect<WidgetMethods>({
      messenger: guardedMessenger(penpal, remoteWindow),
      methods,
    });
    this.#connection.promise.then(
      (remote) => (this.#remote = remote),
      () => undefined,
    );
    this.#heartbeat = new Heartbeat(
      (timeout, nextWithinMs) => this.#ping(timeout, nextWithinMs),
      (responsive) => this.#onLiveness(responsive),
      this.host.heartbeatIntervalMs,
      HEARTBEAT_MISSES,
      this.host.heartbeatClock,
    );
    this.#heartbeat.start(watched);
    iframe.addEventListener('load', this.#onLoad);
    iframe.src =
      this.manifest.url + encodeFrameParams({ nonce: this.nonce, hostOrigin: location.origin });
  }

  /** Marks the slot suspended (the broker stopped reading it for flooding). */
  suspend(): void {
    this.#endSession();
    this.#setStatus({ state: 'suspended' });
  }

  /**
   * The history guard is about to take the frame back over entries it pushed: the `load`
   * that Chromium fires for it soon after is not a new document.
   */
  expectTraversal(): void {
    this.#traversalUntil = performance.now() + TRAVERSAL_LOAD_MS;
  }

  /**
   * Stops the frame for good (a repeat offender: reconnect storms, focus theft); the slot's
   * Reload button is the way back. Callers quarantine a live session once.
   */
  quarantine(message: string): void {
    this.#stop();
    // Stop the frame running at all: a loop in it must not keep costing the page.
    this.#iframe!.src = 'about:blank';
    this.#setStatus({ state: 'quarantined', message }, 'disconnected');
  }

  /** Ends the mount: closes the handshake, the heartbeat and the broker channel. */
  destroy(): void {
    if (this.#ended) return;
    const wasConnected = this.#attached;
    this.#stop();
    if (wasConnected) this.onStatus(this.#status, 'disconnected');
  }

  #stop(): void {
    this.#ended = true;
    this.host.track(this, false);
    clearTimeout(this.#deadline);
    this.#heartbeat?.stop();
    this.#iframe?.removeEventListener('load', this.#onLoad);
    this.#connection?.destroy();
    this.#endSession();
    this.#services?.destroy();
  }

  async #hello(nonce: unknown, version: unknown): Promise<Reply<HelloReply>> {
    if (this.#ended) throw wireError('HANDSHAKE_REFUSED', 'this mount has ended');
    if (typeof nonce !== 'string' || nonce !== this.nonce) {
      // Refused and recorded; the slot ends only when they keep coming (hello-guard.ts).
      if (!this.#wrongHellos.wrong('wrong mount nonce')) {
        this.#fail('HANDSHAKE_REFUSED', 'too many hellos with a wrong nonce');
      }
      throw wireError('HANDSHAKE_REFUSED', 'wrong mount nonce');
    }
    if (version !== PROTOCOL_VERSION) {
      const message = `protocol ${String(version)} is not ${PROTOCOL_VERSION}`;
      this.#fail('PROTOCOL_MISMATCH', message);
      throw wireError('PROTOCOL_MISMATCH', message);
    }
    this.#hellos++;
    const counted = this.#reloadCounted;
    this.#reloadCounted = false;
    if (this.#epoch > 0 && !counted && !this.#allowReconnect()) {
      throw wireError('HANDSHAKE_REFUSED', 'too many reconnects');
    }
    this.#endSession();
    const epoch = ++this.#epoch;
    const { port1, port2 } = new MessageChannel();
    this.#attached = true;
    try {
      await this.host.attach(this.slotId, this.manifest.id, port1);
    } catch {
      // The broker went away or did not answer: the widget learns only the code, never
      // the host's error (penpal would send its stack).
      this.#attached = false;
      throw wireError('BROKER_UNAVAILABLE', 'the broker is not available');
    }
    if (this.#ended || epoch !== this.#epoch) {
      throw wireError('APP_DISCONNECTED', 'the session ended during the handshake');
    }
    clearTimeout(this.#deadline);
    this.#setStatus({ state: 'connected', epoch }, epoch === 1 ? 'connected' : 'reconnected');
    const reply: HelloReply = {
      port: port2,
      context: this.host.contextFor(this.manifest.id, this.slotId),
    };
    return new this.#penpal!.Reply(reply, { transferables: [port2] });
  }

  /**
   * Every document in the frame fires one `load`; a well-behaved one says hello once. When
   * loads outnumber hellos, the current session belongs to a document that is gone.
   */
  #onLoad = (): void => {
    // Chromium fires `load` at the iframe when the host's `history.go(-n)` takes the frame
    // back over its own pushed states, though its document stays (issue 14, 0033).
    if (performance.now() < this.#traversalUntil) return;
    this.#loads++;
    if (this.#ended || this.#loads <= this.#hellos || this.#loads === 1) return;
    if (!this.#allowReconnect()) return;
    this.#reloadCounted = true;
    const wasConnected = this.#attached;
    this.#endSession();
    this.#armDeadline();
    this.#setStatus({ state: 'loading' }, wasConnected ? 'disconnected' : undefined);
  };

  #allowReconnect(): boolean {
    const now = performance.now();
    this.#reconnects = this.#reconnects.filter((t) => now - t < RECONNECT_WINDOW_MS);
    this.#reconnects.push(now);
    if (this.#reconnects.length <= MAX_RECONNECTS) return true;
    this.quarantine('reconnected too often');
    return false;
  }

  /** The widget's SDK hands over its pulse port once per session, after hello. */
  #onPulsePort(port: unknown): void {
    if (!this.#attached || !(port instanceof MessagePort)) return;
    this.#pulse?.close();
    this.#pulse = port;
    this.#lastPulse = undefined;
    port.onmessage = () => (this.#lastPulse = performance.now());
  }

  /** True when the session's pulse beat and then stopped: the widget's process is gone. */
  #pulseStopped(): boolean {
    const last = this.#lastPulse;
    return last !== undefined && performance.now() - last > PULSE_SILENCE_MS;
  }

  async #ping(timeout: number, nextWithinMs: number): Promise<unknown> {
    if (!this.#remote || !this.#attached) return undefined;
    // A hang that turns into a crash (or a verdict that came before the pulse's silence
    // was long enough to tell) is told at the next beat.
    if (this.#status.state === 'unresponsive' && this.#pulseStopped()) this.#crashed();
    const { CallOptions } = this.#penpal!;
    return this.#remote.ping(nextWithinMs, new CallOptions({ timeout: timeout * 0.9 }));
  }

  #onLiveness(responsive: boolean): void {
    if (!this.#attached || this.#ended) return;
    if (responsive) this.#setStatus({ state: 'connected', epoch: this.#epoch }, 'responsive');
    else if (this.#pulseStopped()) this.#crashed();
    else this.#setStatus({ state: 'unresponsive', epoch: this.#epoch }, 'unresponsive');
  }

  #crashed(): void {
    this.#setStatus({ state: 'crashed', epoch: this.#epoch }, 'crashed');
  }

  #armDeadline(): void {
    clearTimeout(this.#deadline);
    this.#deadline = setTimeout(() => {
      const timedOut = `no hello within ${this.host.connectTimeoutMs} ms`;
      this.#fail('HANDSHAKE_TIMEOUT', `${timedOut}: ${HELLO_CAUSES}`);
      const failed = this.#status;
      if (failed.state !== 'error' || failed.code !== 'HANDSHAKE_TIMEOUT') return;
      // Then which cause it is, when the widget's server tells (docs/errors.md).
      void import('./hello-probe.ts')
        .then(({ probeWidget }) => probeWidget(this.manifest.url))
        .then((cause) => {
          const message = `${timedOut}: ${cause}`;
          if (this.#status === failed) this.#setStatus({ ...failed, message });
        })
        .catch(() => undefined);
    }, this.host.connectTimeoutMs);
  }

  #endSession(): void {
    for (const end of [...this.#calls]) end(new McError('APP_DISCONNECTED', 'the session ended'));
    if (!this.#attached) return;
    this.#attached = false;
    this.#pulse?.close();
    this.#pulse = this.#lastPulse = undefined;
    this.#services?.endSession();
    void this.host.detach(this.slotId);
  }

  #fail(code: ErrorCode, message: string): void {
    if (this.#ended || this.#status.state === 'error') return;
    this.#stop();
    this.#setStatus({ state: 'error', code, message });
  }

  #setStatus(status: FrameStatus, change?: SessionChange): void {
    this.#status = status;
    this.onStatus(status, change);
  }
}

/**
 * Opaque-origin frames report origin "null", so origins cannot be checked here; penpal still
 * drops every message whose source is not this iframe's window. Its sends can throw when
 * a widget forges protocol messages that tear its own link down; that must stay the
 * widget's problem, never an uncaught error in the host page.
 */
function guardedMessenger(penpal: Penpal, remoteWindow: Window): WindowMessenger {
  const messenger = new penpal.WindowMessenger({ remoteWindow, allowedOrigins: ['*'] });
  const send = messenger.sendMessage;
  messenger.sendMessage = (message, transferables) => {
    try {
      send(message, transferables);
    } catch {
      // The link is gone; the session's deadline or heartbeat already covers it.
    }
  };
  return messenger;
}

/** Default deadline of a host → widget call ({@link FrameSession.call}). */
export const WIDGET_CALL_TIMEOUT_MS = 5000;

/**
 * Why a host → widget call failed: penpal's deadline or missing method, or the widget's
 * refusal (`{ code, message }`, its word; an unknown code is `CALL_FAILED`).
 */
function widgetError(error: unknown): McError {
  if (error instanceof McError) return error;
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  const penpal =
    code === 'METHOD_CALL_TIMEOUT' ? 'CALL_TIMEOUT' : code === 'METHOD_NOT_FOUND' && 'NOT_FOUND';
  return toMcError({ code: penpal || code, message }, 'CALL_FAILED');
}

/** Errors cross to the widget as plain `{ name, code, message }`: never a host stack. */
function wireError(code: ErrorCode, message: string): SerializedMcError {
  return serializeError(new McError(code, message));
}
