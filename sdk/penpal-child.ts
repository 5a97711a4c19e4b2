import type { CallMessage, Message, ReplyMessage } from 'penpal';

/**
 * The widget's side of penpal v7's protocol, for the one case a widget has: the window that
 * framed it, at the one host origin the fragment names. The host keeps penpal's own
 * `connect` and `WindowMessenger`; this speaks their protocol from the other end, so that
 * every widget does not carry penpal's general machinery (method paths into nested tables,
 * proxies, v6 translation, wildcard origins, logging: about 1.5 KiB min+gzip of the SDK;
 * docs/decisions/0030-sdk-penpal-child.md).
 *
 * The protocol, as penpal v7 speaks it (both ends send SYN; the one with the greater
 * participant id, the leader, sends ACK1; the other answers ACK2 with a `MessageChannel`'s
 * port, and both sides are connected):
 *
 *     widget  SYN(w) ───────────────▶ host         (through the window, to the host origin)
 *             ◀─────────────── SYN(h)               (the host answers every new id with its own)
 *             ◀─────────────── ACK1                 (the host leads: h > w, see `newId`)
 *             ACK2 + port ──────────▶               (then calls and replies on that channel)
 *             CALL / REPLY / DESTROY ◀───▶
 *
 * A SYN with a new id is a new handshake (the host's connection started again): the old
 * channel is closed, and the next ACK1 brings a new one. Calls either way keep working over
 * it, as they do with penpal's own child. `channel` (penpal's way of running several
 * connections over one window) is unset on both sides: a message with one is not ours.
 */

/** A method table: what the host may call here (by any name), or what this side calls there. */
export type Methods<Names = { [name: string]: unknown }> = {
  [K in keyof Names]: ((...args: never[]) => unknown) | undefined;
};

/** penpal's failure codes this side produces, with penpal's meanings. */
export type PenpalCode =
  'CONNECTION_TIMEOUT' | 'CONNECTION_DESTROYED' | 'METHOD_CALL_TIMEOUT' | 'TRANSMISSION_FAILED';

/**
 * How a call or the handshake fails here: penpal's codes, or what the host refused with
 * (`{ code, message }`; an `Error` the host threw arrives as its `name`, `message` and,
 * from penpal itself, its code, e.g. `METHOD_NOT_FOUND`).
 */
export interface PenpalFailure {
  code?: string;
  message: string;
}

/** The link to the host, once {@link penpalChild} has started its handshake. */
export interface HostChannel<Remote extends Methods<Remote>> {
  /** Resolves when the handshake is complete; rejects with `CONNECTION_TIMEOUT` at the deadline. */
  ready: Promise<void>;
  /**
   * Calls the host's `method` with `args` (and `transfer` moved with them); rejects with
   * the host's refusal, `METHOD_CALL_TIMEOUT` after `timeoutMs` (none when undefined),
   * `CONNECTION_DESTROYED` when the link ends first, or `TRANSMISSION_FAILED`.
   */
  call<M extends keyof Remote & string>(
    method: M,
    args: Parameters<NonNullable<Remote[M]>>,
    timeoutMs?: number,
    transfer?: Transferable[],
  ): Promise<Awaited<ReturnType<NonNullable<Remote[M]>>>>;
  /** Ends the link: tells the host (DESTROY), closes the channel, rejects what is pending. */
  destroy(): void;
}

/** `Omit` over each member of a union. */
type Without<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** A penpal message as this side builds it: penpal's shape, `namespace` and `channel` left to `post`. */
type Outgoing = Without<Message, 'namespace' | 'channel'>;

/** What a reply carries besides its call id: a value, or penpal's error shapes. */
type ReplyBody = Without<Extract<Outgoing, { type: 'REPLY' }>, 'type' | 'callId'>;

/**
 * A participant id for this side. penpal's own are UUIDs (hex digits and `-`, never `-`
 * first), and the greater id leads; one that starts with `-` is below all of them, so the
 * host leads, as it does in every test, every time. The leader's half is here all the same,
 * for a host whose ids sort otherwise. Random after the `-`: a reloaded document must not
 * look like the one before it, or the host would ignore its SYN.
 */
const newId = (): string => `-${Math.random()}`;

const failure = (code: PenpalCode, message: string): PenpalFailure => ({ code, message });

/** penpal's error reply: an `Error` as its name and message (never its stack), else as is. */
const refusal = (error: unknown): ReplyBody =>
  error instanceof Error
    ? {
        isError: true,
        isSerializedErrorInstance: true,
        value: { name: error.name, message: error.message },
      }
    : { isError: true, value: error };

/**
 * Starts the handshake with `parent` at `origin` and answers its calls from `methods`
 * (looked up by name when called: methods added later answer too). Takes messages from
 * that window at that origin only, or from the private channel; sends to nothing else.
 */
export function penpalChild<Remote extends Methods<Remote>>(
  parent: Window,
  origin: string,
  methods: Methods,
  timeoutMs: number,
  /** This side's participant id (a test chooses which side leads). */
  id = newId(),
): HostChannel<Remote> {
  const pending = new Map<
    string,
    [(value: never) => void, (error: PenpalFailure) => void, ReturnType<typeof setTimeout>?]
  >();
  let remoteId: string | undefined;
  let port: MessagePort | undefined;
  let ended = false;
  let calls = 0;
  let connected!: () => void;

  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(failure('CONNECTION_TIMEOUT', `no handshake within ${timeoutMs} ms`)),
      timeoutMs,
    );
    connected = () => (clearTimeout(timer), resolve());
  });

  const post = (message: Outgoing, transfer?: Transferable[], toWindow?: boolean): void => {
    const data = { namespace: 'penpal', ...message };
    if (toWindow) parent.postMessage(data, { targetOrigin: origin, transfer });
    else if (port) port.postMessage(data, { transfer });
    else throw failure('TRANSMISSION_FAILED', 'no channel to the host');
  };

  const closePort = (): void => {
    port?.close();
    port = undefined;
  };

  const listen = (next: MessagePort): void => {
    closePort();
    port = next;
    next.onmessage = ({ data }) => receive(data);
    connected();
  };

  /** Answers one call of the host's; a method that is not in the table is penpal's `METHOD_NOT_FOUND`. */
  const answer = async ({ id: callId, methodPath, args }: CallMessage): Promise<void> => {
    const method = methodPath.length === 1 ? methods[methodPath[0]!] : undefined;
    let body: ReplyBody;
    try {
      body = method
        ? { value: await method(...(args as never[])) }
        : {
            isError: true,
            isSerializedErrorInstance: true,
            value: {
              name: 'PenpalError',
              message: `Method \`${methodPath.join('.')}\` is not found.`,
              penpalCode: 'METHOD_NOT_FOUND',
            },
          };
    } catch (error) {
      body = refusal(error);
    }
    if (ended) return;
    try {
      post({ type: 'REPLY', callId, ...body });
    } catch (error) {
      // An answer structured clone refuses (a function, say) is a failed call, not silence.
      post({ type: 'REPLY', callId, ...refusal(error) });
    }
  };

  const settle = ({ callId, isError, isSerializedErrorInstance, value }: ReplyMessage): void => {
    const entry = pending.get(callId);
    if (!entry) return;
    pending.delete(callId);
    clearTimeout(entry[2]);
    if (!isError) entry[0](value as never);
    else if (!isSerializedErrorInstance) entry[1](value as PenpalFailure);
    else entry[1]({ code: value.penpalCode, message: value.message });
  };

  /** One message from the host: `ports` are those of a message through the window. */
  const receive = (data: Message | undefined, ports?: readonly MessagePort[]): void => {
    if (data?.namespace !== 'penpal' || data.channel !== undefined) return;
    switch (data.type) {
      case 'SYN':
        // penpal answers only a new id: an answer to an old one would start the host over.
        if (data.participantId === remoteId) return;
        remoteId = data.participantId;
        closePort();
        post({ type: 'SYN', participantId: id }, undefined, true);
        // penpal's ACK1 lists the leader's methods; no penpal v7 reads the list.
        if (id > remoteId) post({ type: 'ACK1', methodPaths: [] }, undefined, true);
        break;
      case 'ACK1': {
        // The side that sends ACK2 makes the channel the rest of the conversation uses.
        const { port1, port2 } = new MessageChannel();
        post({ type: 'ACK2' }, [port2], true);
        listen(port1);
        break;
      }
      case 'ACK2':
        if (ports?.[0]) listen(ports[0]);
        break;
      case 'CALL':
        void answer(data);
        break;
      case 'REPLY':
        settle(data);
        break;
      case 'DESTROY':
        end();
    }
  };

  const onWindow = ({ source, origin: from, data, ports }: MessageEvent): void => {
    if (source === parent && from === origin) receive(data, ports);
  };

  const end = (notify?: boolean): void => {
    if (ended) return;
    ended = true;
    if (notify) {
      try {
        post({ type: 'DESTROY' });
      } catch {
        // No channel yet: the host has nothing to close.
      }
    }
    removeEventListener('message', onWindow);
    closePort();
    for (const [, reject, timer] of pending.values()) {
      clearTimeout(timer);
      reject(failure('CONNECTION_DESTROYED', 'the link to the host is closed'));
    }
    pending.clear();
  };

  addEventListener('message', onWindow);
  post({ type: 'SYN', participantId: id }, undefined, true);

  return {
    ready,
    call: (method, args, timeout, transfer) =>
      new Promise((resolve, reject) => {
        if (ended) throw failure('CONNECTION_DESTROYED', 'the link to the host is closed');
        const callId = `${++calls}`;
        const timer =
          timeout === undefined
            ? undefined
            : setTimeout(() => {
                pending.delete(callId);
                reject(failure('METHOD_CALL_TIMEOUT', `${method}() took over ${timeout} ms`));
              }, timeout);
        pending.set(callId, [resolve, reject, timer]);
        try {
          post({ type: 'CALL', id: callId, methodPath: [method], args }, transfer);
        } catch (error) {
          pending.delete(callId);
          clearTimeout(timer);
          reject(failure('TRANSMISSION_FAILED', String((error as PenpalFailure).message)));
        }
      }),
    destroy: () => end(true),
  };
}
