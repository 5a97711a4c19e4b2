import { McError, type ErrorCode } from './protocol/errors.ts';
import type { AppContext } from './protocol/handshake.ts';
import { MAX_BATCH_BYTES, MAX_MESSAGE_BYTES, MAX_OPS_PER_BATCH } from './protocol/limits.ts';
import {
  isPattern,
  isTopic,
  matchTopic,
  type Topic,
  type TopicPattern,
} from './protocol/topics.ts';

/** An event as a subscriber receives it. `source` is stamped by the broker. */
export interface McEvent<T = unknown> {
  topic: Topic;
  source: string;
  data: T;
}

/** One app's public state at one version. Version 0 means it was never set. */
export interface StateVersion<T = unknown> {
  app: string;
  version: number;
  value: T;
}

/**
 * What `subscribe` and `state.watch` return: call it to stop. `ready` settles when the
 * broker accepted (or refused, with `NOT_PERMITTED`) the request.
 */
export type Subscription = (() => void) & { readonly ready: Promise<void> };

/** Default deadline for a request to the broker. */
export const REQUEST_TIMEOUT_MS = 5000;

interface Pending {
  resolve(value: unknown): void;
  reject(error: McError): void;
  timer: ReturnType<typeof setTimeout> | undefined;
}

type Op = Record<string, unknown> & { op: string };

/**
 * A client of the broker over one private MessagePort: what `connect()` gives a widget and
 * what the host page uses for its own publishing. Operations made in one turn leave as one
 * port message; the broker answers likewise.
 */
export class Client {
  readonly context: AppContext;
  readonly #port: MessagePort;
  readonly #subs = new Map<number, [string, (event: McEvent) => void]>();
  readonly #watches = new Map<number, (state: StateVersion) => void>();
  readonly #pending = new Map<number, Pending>();
  readonly #errorHandlers = new Set<(error: McError) => void>();
  #out: string[] = [];
  #nextId = 1;
  #closed = false;
  readonly #attached: Promise<unknown>;

  /** Public-state operations of this app and the apps its manifest lets it read. */
  readonly state = {
    /** Replaces this app's public state (JSON). */
    set: (value: unknown): void => this.#send({ op: 'set', value }),
    /** Reads another app's public state once. */
    get: <T = unknown>(app: string): Promise<StateVersion<T>> =>
      this.#request({ op: 'get', app }) as Promise<StateVersion<T>>,
    /** Snapshot first, then each new version (intermediate versions may coalesce). */
    watch: <T = unknown>(app: string, handler: (state: StateVersion<T>) => void): Subscription => {
      const id = this.#nextId++;
      this.#watches.set(id, handler as (state: StateVersion) => void);
      return this.#subscription(id, this.#request({ op: 'watch', app }, id), this.#watches);
    },
  };

  /**
   * @param attached settles once the broker has the other end of `port`; request deadlines
   *   start only then, so a broker Worker that is still booting cannot time requests out.
   */
  constructor(
    port: MessagePort,
    context: AppContext,
    attached: Promise<unknown> = Promise.resolve(),
  ) {
    this.#port = port;
    this.context = context;
    this.#attached = attached;
    port.onmessage = (event: MessageEvent) => this.#receive(event.data);
  }

  /** Publishes `data` (JSON) on `topic`, which must be in this app's namespace. */
  publish(topic: Topic, data?: unknown): void {
    if (!isTopic(topic)) throw new McError('TOPIC_INVALID', `not a topic: ${String(topic)}`);
    this.#send({ op: 'pub', topic, data });
  }

  /** Calls `handler` for each event whose topic matches `pattern` (`*` = one segment). */
  subscribe<T = unknown>(
    pattern: TopicPattern,
    handler: (event: McEvent<T>) => void,
  ): Subscription {
    if (!isPattern(pattern))
      throw new McError('TOPIC_INVALID', `not a pattern: ${String(pattern)}`);
    const id = this.#nextId++;
    this.#subs.set(id, [pattern, handler as (event: McEvent) => void]);
    return this.#subscription(id, this.#request({ op: 'sub', pattern }, id), this.#subs);
  }

  /** Requests waiting for the broker's answer. */
  get pendingCalls(): number {
    return this.#pending.size;
  }

  /** Errors the broker reports asynchronously (a refused publish, a rate limit). */
  onError(handler: (error: McError) => void): () => void {
    this.#errorHandlers.add(handler);
    return () => this.#errorHandlers.delete(handler);
  }

  /** Closes the port; pending requests reject with `APP_DISCONNECTED`. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#port.close();
    for (const [id, p] of this.#pending)
      this.#settle(id, p, new McError('APP_DISCONNECTED', 'closed'));
  }

  #subscription(id: number, ready: Promise<unknown>, table: Map<number, unknown>): Subscription {
    const stop = () => {
      if (table.delete(id) && !this.#closed) this.#send({ op: 'cancel', id });
    };
    const settled = ready.then(
      () => undefined,
      (error: unknown) => {
        table.delete(id);
        throw error;
      },
    );
    // Observing `ready` is optional: an ignored refusal must not surface as unhandled.
    settled.catch(() => undefined);
    return Object.assign(stop, { ready: settled });
  }

  #request(op: Op, id = this.#nextId++): Promise<unknown> {
    return new Promise((resolve, reject) => {
      if (this.#closed) return reject(new McError('APP_DISCONNECTED', 'closed'));
      const pending: Pending = { resolve, reject, timer: undefined };
      this.#pending.set(id, pending);
      this.#send({ ...op, id });
      void this.#attached.then(() => {
        if (this.#pending.get(id) !== pending) return;
        pending.timer = setTimeout(
          () => this.#settle(id, pending, new McError('CALL_TIMEOUT', op.op)),
          REQUEST_TIMEOUT_MS,
        );
      });
    });
  }

  #settle(id: number, pending: Pending | undefined, error: McError | null, value?: unknown): void {
    if (!pending) return;
    this.#pending.delete(id);
    clearTimeout(pending.timer);
    if (error) pending.reject(error);
    else pending.resolve(value);
  }

  #send(op: Op): void {
    if (this.#closed) throw new McError('APP_DISCONNECTED', 'client is closed');
    let part: string;
    try {
      part = JSON.stringify(op);
    } catch {
      throw new McError('INVALID_ARGUMENT', 'data must be JSON-serializable');
    }
    if (part.length > MAX_MESSAGE_BYTES + 256) {
      throw new McError('PAYLOAD_TOO_LARGE', `${part.length} bytes`);
    }
    if (this.#out.push(part) === 1) queueMicrotask(() => this.#flush());
  }

  #flush(): void {
    const out = this.#out;
    this.#out = [];
    if (this.#closed) return;
    // Split at the broker's batch bounds, which it checks before parsing anything.
    let start = 0;
    let bytes = 0;
    for (let i = 0; i <= out.length; i++) {
      const size = i < out.length ? out[i]!.length + 1 : 0;
      if (i === out.length || i - start === MAX_OPS_PER_BATCH || bytes + size > MAX_BATCH_BYTES) {
        if (i > start) this.#port.postMessage(`[${out.slice(start, i).join(',')}]`);
        start = i;
        bytes = 0;
      }
      bytes += size;
    }
  }

  #receive(raw: unknown): void {
    let ops: unknown;
    try {
      ops = typeof raw === 'string' ? JSON.parse(raw) : null;
    } catch {
      return;
    }
    if (!Array.isArray(ops)) return;
    for (const op of ops as Op[]) {
      if (typeof op === 'object' && op !== null) this.#dispatch(op);
    }
    // Flow control: tell the broker we kept up, so it keeps sending (see Connection).
    if (ops.length > 0 && !this.#closed) this.#send({ op: 'ack', n: ops.length });
  }

  #dispatch(op: Op): void {
    const id = typeof op.id === 'number' ? op.id : -1;
    switch (op.op) {
      case 'evt': {
        const event = { topic: op.topic, source: op.source, data: op.data } as McEvent;
        for (const [pattern, handler] of this.#subs.values()) {
          if (matchTopic(pattern, event.topic)) call(handler, event);
        }
        return;
      }
      case 'state': {
        const handler = this.#watches.get(id);
        if (handler)
          call(handler, { app: op.app, version: op.version, value: op.value } as StateVersion);
        return;
      }
      case 'ok':
        return this.#settle(id, this.#pending.get(id), null, op.value);
      case 'gap':
        for (const handler of this.#errorHandlers) {
          call(handler, new McError('EVENTS_DROPPED', `${String(op.dropped)} events dropped`));
        }
        return;
      case 'err': {
        // The broker is the host's own: its codes are trusted as they come.
        const error = new McError(op.code as ErrorCode, String(op.message));
        if (this.#pending.has(id)) return this.#settle(id, this.#pending.get(id), error);
        for (const handler of this.#errorHandlers) call(handler, error);
        return;
      }
    }
  }
}

/** Calls app code so that one throwing handler cannot stop delivery to the others. */
function call<T>(handler: (value: T) => void, value: T): void {
  try {
    handler(value);
  } catch (error) {
    queueMicrotask(() => {
      throw error;
    });
  }
}

export type { ErrorCode };
