import { connect, Reply, WindowMessenger, type Connection } from 'penpal';

import {
  encodeFrameParams,
  McError,
  PROTOCOL_VERSION,
  type ErrorCode,
  type HelloReply,
  type Manifest,
} from '../../sdk/protocol/index.ts';
import type { Host } from '../host/host.ts';
import { createNonce } from './nonce.ts';

/** Where a widget slot stands. */
export type FrameStatus =
  | { state: 'loading' }
  | { state: 'connected' }
  | { state: 'suspended' }
  | { state: 'error'; code: ErrorCode; message: string };

/**
 * One widget mount: points the (already sandboxed, already attached) iframe at the app URL
 * with a fresh nonce in the fragment, answers the penpal handshake from that iframe's window
 * only, checks `hello`, and hands the widget its private port to the broker. Plain class;
 * `<mc-frame>` is its view.
 */
export class FrameSession {
  readonly nonce = createNonce();
  #status: FrameStatus = { state: 'loading' };
  #connection: Connection | undefined;
  #deadline: ReturnType<typeof setTimeout> | undefined;
  #attached = false;
  #destroyed = false;

  constructor(
    readonly host: Host,
    readonly manifest: Manifest,
    readonly slotId: string,
    readonly onStatus: (status: FrameStatus) => void,
  ) {}

  get status(): FrameStatus {
    return this.#status;
  }

  /** Starts the mount: the iframe must already be in the document with its sandbox set. */
  start(iframe: HTMLIFrameElement): void {
    const hostOrigin = location.origin;
    const remoteWindow = iframe.contentWindow;
    if (!remoteWindow) throw new McError('INVALID_ARGUMENT', 'iframe is not in the document');
    // A null-prototype table: penpal looks methods up by name, and inherited names such as
    // `constructor` or `toString` must not resolve to anything.
    const methods = Object.create(null) as Record<string, (...args: unknown[]) => unknown>;
    methods.hello = (nonce: unknown, version: unknown) => this.#hello(nonce, version);
    this.#connection = connect({ messenger: guardedMessenger(remoteWindow), methods });
    this.#connection.promise.catch(() => undefined);
    this.#deadline = setTimeout(() => {
      this.#fail('HANDSHAKE_TIMEOUT', `no hello within ${this.host.connectTimeoutMs} ms`);
    }, this.host.connectTimeoutMs);
    iframe.src = this.manifest.url + encodeFrameParams({ nonce: this.nonce, hostOrigin });
  }

  /** Marks the slot suspended (the broker stopped reading it for flooding). */
  suspend(): void {
    this.#setStatus({ state: 'suspended' });
  }

  /** Ends the mount: closes the handshake and the broker channel. */
  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    clearTimeout(this.#deadline);
    this.#connection?.destroy();
    if (this.#attached) void this.host.detach(this.slotId);
  }

  async #hello(nonce: unknown, version: unknown): Promise<Reply<HelloReply>> {
    if (this.#destroyed || this.#status.state === 'error') {
      throw wireError('HANDSHAKE_REFUSED', 'this mount has ended');
    }
    if (this.#attached) throw wireError('HANDSHAKE_REFUSED', 'already connected');
    if (typeof nonce !== 'string' || nonce !== this.nonce) {
      this.#fail('HANDSHAKE_REFUSED', 'wrong mount nonce');
      throw wireError('HANDSHAKE_REFUSED', 'wrong mount nonce');
    }
    if (version !== PROTOCOL_VERSION) {
      const message = `protocol ${String(version)} is not ${PROTOCOL_VERSION}`;
      this.#fail('PROTOCOL_MISMATCH', message);
      throw wireError('PROTOCOL_MISMATCH', message);
    }
    this.#attached = true;
    const { port1, port2 } = new MessageChannel();
    await this.host.attach(this.slotId, this.manifest.id, port1);
    clearTimeout(this.#deadline);
    this.#setStatus({ state: 'connected' });
    const reply: HelloReply = {
      port: port2,
      context: this.host.contextFor(this.manifest.id, this.slotId),
    };
    return new Reply(reply, { transferables: [port2] });
  }

  #fail(code: ErrorCode, message: string): void {
    if (this.#destroyed || this.#status.state === 'error') return;
    clearTimeout(this.#deadline);
    this.#connection?.destroy();
    if (this.#attached) void this.host.detach(this.slotId);
    this.#attached = false;
    this.#setStatus({ state: 'error', code, message });
  }

  #setStatus(status: FrameStatus): void {
    this.#status = status;
    this.onStatus(status);
  }
}

/**
 * Opaque-origin frames report origin "null", so origins cannot be checked here; penpal still
 * drops every message whose source is not this iframe's window. Its sends can throw when
 * a widget forges protocol messages that tear its own link down; that must stay the
 * widget's problem, never an uncaught error in the host page.
 */
function guardedMessenger(remoteWindow: Window): WindowMessenger {
  const messenger = new WindowMessenger({ remoteWindow, allowedOrigins: ['*'] });
  const send = messenger.sendMessage;
  messenger.sendMessage = (message, transferables) => {
    try {
      send(message, transferables);
    } catch {
      // The link is gone; the session's deadline or status already covers it.
    }
  };
  return messenger;
}

/** Errors cross to the widget as plain `{ name, code, message }`: never a host stack. */
function wireError(code: ErrorCode, message: string): ReturnType<McError['toJSON']> {
  return new McError(code, message).toJSON();
}
