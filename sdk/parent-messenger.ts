import {
  PenpalError,
  type InitializeMessengerOptions,
  type Message,
  type MessageHandler,
  type Messenger,
} from 'penpal';

/**
 * penpal's transport for a widget and the window that framed it, at the one host origin
 * the fragment names: penpal v7's window protocol (SYN, ACK1, ACK2 through the window, then
 * a MessageChannel for calls and replies), as penpal's own `WindowMessenger` speaks it to
 * that one origin. It leaves out what a widget never needs and pays for in every bundle:
 * penpal v6 translation, wildcard and pattern origins, logging (about 3 KiB minified; see
 * docs/decisions/0007-typed-protocol.md). The host keeps penpal's `WindowMessenger`.
 */
export class ParentMessenger implements Messenger {
  readonly #remote: Window;
  readonly #origin: string;
  readonly #handlers = new Set<MessageHandler>();
  #valid: InitializeMessengerOptions['validateReceivedMessage'] | undefined;
  #port: MessagePort | undefined;

  /** @param origin the host's origin: nothing is sent elsewhere or taken from elsewhere. */
  constructor(remote: Window, origin: string) {
    this.#remote = remote;
    this.#origin = origin;
  }

  initialize = ({ validateReceivedMessage }: InitializeMessengerOptions): void => {
    this.#valid = validateReceivedMessage;
    addEventListener('message', this.#fromWindow);
  };

  sendMessage = (message: Message, transfer: Transferable[] = []): void => {
    const { type } = message;
    if (type === 'ACK2') {
      // The side that sends ACK2 makes the channel the rest of the conversation uses.
      const { port1, port2 } = new MessageChannel();
      this.#listen(port1);
      transfer = [port2, ...transfer];
    }
    if (type === 'SYN' || type === 'ACK1' || type === 'ACK2') {
      this.#remote.postMessage(message, { targetOrigin: this.#origin, transfer });
    } else if (this.#port) {
      this.#port.postMessage(message, { transfer });
    } else {
      throw new PenpalError('TRANSMISSION_FAILED', 'no MessagePort yet');
    }
  };

  addMessageHandler = (handler: MessageHandler): void => {
    this.#handlers.add(handler);
  };

  removeMessageHandler = (handler: MessageHandler): void => {
    this.#handlers.delete(handler);
  };

  destroy = (): void => {
    removeEventListener('message', this.#fromWindow);
    this.#closePort();
    this.#handlers.clear();
  };

  #fromWindow = ({ source, origin, ports, data }: MessageEvent): void => {
    if (source !== this.#remote || origin !== this.#origin || !this.#valid?.(data)) return;
    // A SYN starts a handshake over: the channel of the previous one is done.
    if (data.type === 'SYN') this.#closePort();
    if (data.type === 'ACK2') {
      if (!ports[0]) return;
      this.#listen(ports[0]);
    }
    this.#emit(data);
  };

  #fromPort = ({ data }: MessageEvent): void => {
    if (this.#valid?.(data)) this.#emit(data);
  };

  #emit(message: Message): void {
    for (const handler of this.#handlers) handler(message);
  }

  #listen(port: MessagePort): void {
    this.#closePort();
    this.#port = port;
    port.onmessage = this.#fromPort;
  }

  #closePort(): void {
    this.#port?.close();
    this.#port = undefined;
  }
}
