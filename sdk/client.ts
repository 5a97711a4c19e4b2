import { DEV_MODE, warnRefusal } from '#microcanvas-dev';

import { decodeBrokerBatch } from './protocol/decode-broker-batch.ts';
import { McError } from './protocol/errors.ts';
import { linkError, type ClientLink, type HostStatus } from './link.ts';
import type { AppContext } from './protocol/context.ts';
import type { IdentityToken } from './protocol/identity.ts';
import { MAX_BATCH_BYTES, MAX_MESSAGE_BYTES, MAX_OPS_PER_BATCH } from './protocol/limits.ts';
import { jsonOnly } from './protocol/json-only.ts';
import { Outbox } from './protocol/outbox.ts';
import type { BrokerOp, EventOp } from './protocol/broker-ops.ts';
import type { ServiceMethods } from './protocol/services.ts';
import type { ClientOp, StateSnapshot } from './protocol/wire.ts';
import {
  isAppId,
  isPattern,
  isTopic,
  matchTopic,
  type Topic,
  type TopicPattern,
} from './protocol/topics.ts';

/** What the host page's own client is built on (shell/host/host.ts). */
export type { ClientLink, LinkSink } from './link.ts';

/**
 * An event as a subscriber receives it, its data typed by the subscriber: the protocol's
 * {@link EventOp} without the discriminant. `source` is stamped by the broker.
 */
export interface McEvent<T = unknown> extends Omit<EventOp, 'op' | 'data'> {
  data: T;
}

/**
 * One app's public state at one version, its value typed by the reader: the protocol's
 * {@link StateSnapshot}. Version 0 means it was never set.
 */
export interface StateVersion<T = unknown> extends Omit<StateSnapshot, 'value'> {
  value: T;
}

/**
 * What `subscribe` and `state.watch` return: call it to stop. `ready` settles when the
 * broker accepted (or refused, with `NOT_PERMITTED`) the request.
 */
export type Subscription = (() => void) & { readonly ready: Promise<void> };

/** A host service method a widget may call (if its manifest lists the service). */
export type ServiceMethod = keyof ServiceMethods;
/** Options of {@link Client.call}. */
export interface CallOptions {
  /** How long to wait for the host's answer (default {@link CALL_TIMEOUT_MS}). */
  timeoutMs?: number;
}
/** What {@link Client.call} takes after the method name: its arguments, then options. */
export type CallArgs<M extends ServiceMethod> =
  [] extends Parameters<ServiceMethods[M]>
    ? [args?: Parameters<ServiceMethods[M]>, options?: CallOptions]
    : [args: Parameters<ServiceMethods[M]>, options?: CallOptions];
/** What a call of `M` resolves to. */
export type CallResult<M extends ServiceMethod> = Awaited<ReturnType<ServiceMethods[M]>>;

/** Default deadline for a request to the broker. */
export const REQUEST_TIMEOUT_MS = 5000;
/** Default deadline for a call to a host service ({@link Client.call}). */
export const CALL_TIMEOUT_MS = 5000;
/**
 * Operations a client keeps while it waits for the handshake; one more throws `QUEUE_FULL`.
 * Below the default burst (500), so a full queue is not refused by the rate limit on arrival.
 */
export const MAX_QUEUED_OPS = 256;

type Handler = (event: McEvent) => void;
type Watcher = (state: StateVersion) => void;

/**
 * One request the broker holds (a subscription or a watch), shared by the handlers of one
 * pattern or app: its key, each handler with what was returned for it, the request itself,
 * and for a watch the version it delivered last.
 */
type Held<H> = [
  key: string,
  handlers: Map<H, Subscription>,
  wire: Subscription,
  last?: StateVersion,
];

interface Pending {
  resolve(value: unknown): void;
  reject(error: McError): void;
  timer: ReturnType<typeof setTimeout> | undefined;
  /** The request as sent, to send again on a new broker's port. */
  part: string;
}

/** The operations that are requests: answered by `ok` or `err` with their `id`. */
type Request<O = ClientOp> = O extends { id: number; op: 'sub' | 'get' | 'watch' }
  ? Omit<O, 'id'>
  : never;

/**
 * A client of the broker over one private MessagePort: what `connect()` gives a widget and
 * what the host page uses for its own publishing. Operations made in one turn leave as one
 * port message; the broker answers likewise.
 */
export class Client {
  /**
   * Settles when the client is connected: at once for the host page, after the handshake
   * for a widget. Rejects with the handshake's `McError`; everything queued is then dropped.
   */
  readonly ready: Promise<void>;
  #link: ClientLink | undefined;
  #context: AppContext | undefined;
  #port: MessagePort | undefined;
  /** Subscriptions with the broker, by request id, each shared by one pattern's handlers. */
  readonly #subs = new Map<number, Held<Handler>>();
  /** Watches, by request id, each shared by one app's handlers. */
  readonly #watches = new Map<number, Held<Watcher>>();
  readonly #pending = new Map<number, Pending>();
  readonly #errorHandlers = new Set<(error: McError) => void>();
  readonly #contextHandlers = new Set<(context: AppContext) => void>();
  readonly #hostHandlers = new Set<(status: HostStatus) => void>();
  readonly #out = new Outbox(() => this.#flush());
  #nextId = 1;
  #calls = 0;
  #closed: McError | undefined;
  #attached: Promise<unknown> = Promise.resolve();

  /** Public-state operations of this app and the apps its manifest lets it read. */
  readonly state = {
    /** Replaces this app's public state (JSON). */
    set: (value: unknown): void => void this.#send({ op: 'set', value }),
    /** Reads another app's public state once; throws `INVALID_ARGUMENT` for a bad app id. */
    get: <T = unknown>(app: string): Promise<StateVersion<T>> =>
      this.#request({ op: 'get', app: appId(app) }) as Promise<StateVersion<T>>,
    /**
     * Snapshot first, then each new version (intermediate versions may coalesce); throws
     * `INVALID_ARGUMENT` for a bad app id. Like {@link Client.subscribe}, an (app, handler)
     * pair is held once, and the handlers of one app share one watch with the broker: one
     * that joins it after its snapshot came gets the version the others have, at once.
     */
    watch: <T = unknown>(app: string, handler: (state: StateVersion<T>) => void): Subscription => {
      return this.#hold(this.#watches, appId(app), { op: 'watch', app }, handler as Watcher);
    },
  };

  /**
   * @param link the transport, or a promise of it: until it settles, operations queue (in
   *   order, at most {@link MAX_QUEUED_OPS}) and request deadlines do not run.
   */
  constructor(link: ClientLink | Promise<ClientLink>) {
    if ('port' in link) {
      this.#attach(link);
      this.ready = Promise.resolve();
    } else {
      this.ready = link.then(
        (l) => this.#attach(l),
        (error: unknown) => {
          const failure =
            error instanceof McError ? error : new McError('APP_DISCONNECTED', `${error}`);
          this.#close(failure);
          throw failure;
        },
      );
    }
  }

  /** The app's context (ids, theme, locale, user); throws `NOT_READY` before {@link ready}. */
  get context(): AppContext {
    if (!this.#context) throw new McError('NOT_READY', 'not connected yet: await client.ready');
    return this.#context;
  }

  /** Publishes `data` (JSON) on `topic`, which must be in this app's namespace. */
  publish(topic: Topic, data?: unknown): void {
    if (!isTopic(topic)) throw new McError('TOPIC_INVALID', `not a topic: ${String(topic)}`);
    this.#send({ op: 'pub', topic, data });
  }

  /**
   * Calls `handler` for each event whose topic matches `pattern` (`*` = one segment).
   * Like `addEventListener`, a (pattern, handler) pair is held once: subscribing it again
   * returns the same {@link Subscription}, and one call of it ends the pair. The handlers
   * of one pattern share one subscription with the broker, ended when the last one stops.
   */
  subscribe<T = unknown>(
    pattern: TopicPattern,
    handler: (event: McEvent<T>) => void,
  ): Subscription {
    if (!isPattern(pattern))
      throw new McError('TOPIC_INVALID', `not a pattern: ${String(pattern)}`);
    return this.#hold(this.#subs, pattern, { op: 'sub', pattern }, handler as Handler);
  }

  /**
   * Adds `handler` to the request held for `key`, asking the broker for it first if none is,
   * and returns what stops the pair; the request ends when its last handler stops. A handler
   * that joins a watch after its snapshot came is given the version the others have.
   */
  #hold<H extends Handler | Watcher>(
    table: Map<number, Held<H>>,
    key: string,
    op: Request,
    handler: H,
  ): Subscription {
    let held = [...table.values()].find(([k]) => k === key);
    if (!held) {
      const id = this.#nextId++;
      const ready = this.#request(op, id).then(
        () => undefined,
        (error: unknown) => {
          table.delete(id);
          throw error;
        },
      );
      // Observing `ready` is optional: an ignored refusal must not surface as unhandled.
      ready.catch(() => undefined);
      const cancel = () => {
        if (table.delete(id) && !this.#closed) this.#send({ op: 'cancel', id });
      };
      table.set(id, (held = [key, new Map(), Object.assign(cancel, { ready })]));
    }
    const [, handlers, wire, last] = held;
    let sub = handlers.get(handler);
    if (!sub) {
      const stop = () => handlers.delete(handler) && !handlers.size && wire();
      handlers.set(handler, (sub = Object.assign(stop, { ready: wire.ready })));
      if (last) queueMicrotask(() => handlers.has(handler) && call(handler as Watcher, last));
    }
    return sub;
  }

  /**
   * Calls a host service method over the widget's link to the host, typed by the protocol's
   * {@link ServiceMethods} table: its arguments, then options. Waits for {@link ready};
   * rejects with `McError`: the host's own code when it refuses, `NOT_PERMITTED` for a
   * service the manifest does not list, `CALL_TIMEOUT` after `timeoutMs` (default
   * {@link CALL_TIMEOUT_MS}), `APP_DISCONNECTED`.
   */
  async call<M extends ServiceMethod>(method: M, ...rest: CallArgs<M>): Promise<CallResult<M>> {
    const [args = [], options = {}] = rest as [unknown[]?, CallOptions?];
    await this.ready;
    const link = this.#link!;
    if (this.#closed) throw this.#closed;
    if (!link.call) throw linkError({ code: 'METHOD_NOT_FOUND' }, method);
    this.#calls++;
    try {
      return await link.call(method, [...args] as never, options.timeoutMs ?? CALL_TIMEOUT_MS);
    } catch (error) {
      throw linkError(error, method);
    } finally {
      this.#calls--;
    }
  }

  /**
   * A short-lived token (at most 60 s) that proves to this app's own backend who the user is,
   * in which space and slot (docs/backends.md "Identity tokens"): send it as
   * `Authorization: Bearer <token>`, to `api` (the app's API behind the server's gateway)
   * when the host gives one. Needs the `identity` service in the manifest
   * (`NOT_PERMITTED` otherwise) and a host connected to its server (`NOT_READY` otherwise).
   * The host reuses a token until 10 s before `expiresAt`: ask again for each use.
   */
  identityToken(): Promise<IdentityToken> {
    return this.call('identityToken');
  }

  /** Requests waiting for the broker's answer, and host calls waiting for the host's. */
  get pendingCalls(): number {
    return this.#pending.size + this.#calls;
  }

  /**
   * Errors reported asynchronously (a refused publish, a rate limit, dropped events). In the
   * SDK's development build, a refusal that arrives while no handler is set is warned in the
   * console once (docs/errors.md, "Development build").
   */
  onError(handler: (error: McError) => void): () => void {
    return on(this.#errorHandlers, handler);
  }

  /** Called with the new context when the host changes theme, locale or user. */
  onContext(handler: (context: AppContext) => void): () => void {
    return on(this.#contextHandlers, handler);
  }

  /**
   * Called with `away` when the host stops answering (its heartbeats stopped while this page
   * was visible) and with `connected` when it is back.
   */
  onHostStatus(handler: (status: HostStatus) => void): () => void {
    return on(this.#hostHandlers, handler);
  }

  /** Closes the port and the link; pending requests reject with `APP_DISCONNECTED`. */
  close(): void {
    this.#close(new McError('APP_DISCONNECTED', 'closed'));
  }

  #close(reason: McError): void {
    if (this.#closed) return;
    this.#closed = reason;
    this.#out.take();
    this.#port?.close();
    this.#link?.close?.();
    for (const [id, p] of this.#pending) this.#settle(id, p, reason);
  }

  #attach(link: ClientLink): void {
    if (this.#closed) {
      // Closed while the handshake was under way: the broker's end must not stay open.
      link.port.close();
      return link.close?.();
    }
    this.#link = link;
    this.#context = link.context;
    this.#port = link.port;
    this.#attached = link.attached ?? this.#attached;
    link.port.onmessage = (event: MessageEvent) => this.#receive(event.data);
    link.bind?.({
      context: (context) => {
        this.#context = context;
        for (const handler of this.#contextHandlers) call(handler, context);
      },
      host: (status) => {
        for (const handler of this.#hostHandlers) call(handler, status);
      },
      port: (port) => this.#move(port),
    });
    this.#flush();
  }

  /**
   * The broker was replaced and the old port died with it: what was sent on it and not
   * answered is sent again on the new one, under the same ids.
   * The broker holds subscriptions and watches per port, so they are asked for again too;
   * their answers settle nothing here, and a watch's repeated snapshot is not delivered twice.
   */
  #move(port: MessagePort): void {
    if (this.#closed) return port.close();
    // What the old port was about to carry goes with it: nothing is sent twice.
    this.#flush();
    this.#port!.close();
    this.#port = port;
    port.onmessage = (event: MessageEvent) => this.#receive(event.data);
    const again = new Map<number, string>();
    for (const [id, p] of this.#pending) again.set(id, p.part);
    for (const [id, [pattern]] of this.#subs)
      again.set(id, JSON.stringify({ op: 'sub', pattern, id }));
    for (const [id, [app]] of this.#watches)
      again.set(id, JSON.stringify({ op: 'watch', app, id }));
    for (const part of again.values()) this.#out.push(part);
  }

  #request(op: Request, id = this.#nextId++): Promise<unknown> {
    return new Promise((resolve, reject) => {
      if (this.#closed) return reject(this.#closed);
      let pending: Pending;
      try {
        pending = { resolve, reject, timer: undefined, part: this.#send({ ...op, id }) };
        this.#pending.set(id, pending);
      } catch (error) {
        // Refused before it left (QUEUE_FULL, PAYLOAD_TOO_LARGE): nothing waits for it.
        this.#pending.delete(id);
        throw error;
      }
      // Deadlines run from when the broker can answer, not while the handshake is pending;
      // a failed attach starts them too, so a request never outlives its deadline.
      const arm = () => {
        if (this.#pending.get(id) !== pending) return;
        pending.timer = setTimeout(
          () => this.#settle(id, pending, new McError('CALL_TIMEOUT', op.op)),
          REQUEST_TIMEOUT_MS,
        );
      };
      void this.ready.then(() => this.#attached).then(arm, arm);
    });
  }

  #settle(id: number, pending: Pending | undefined, error: McError | null, value?: unknown): void {
    if (!pending) return;
    this.#pending.delete(id);
    clearTimeout(pending.timer);
    if (error) pending.reject(error);
    else pending.resolve(value);
  }

  /** Queues `op` for the broker and returns it as sent. */
  #send(op: ClientOp): string {
    if (this.#closed) throw this.#closed;
    if (!this.#port && this.#out.parts.length >= MAX_QUEUED_OPS) {
      throw new McError('QUEUE_FULL', `${MAX_QUEUED_OPS} operations wait for the handshake`);
    }
    let part: string;
    try {
      part = JSON.stringify(op, jsonOnly);
    } catch (error) {
      throw error instanceof McError
        ? error
        : new McError('INVALID_ARGUMENT', `not JSON: ${error}`);
    }
    if (part.length > MAX_MESSAGE_BYTES + 256) {
      throw new McError('PAYLOAD_TOO_LARGE', `${part.length} bytes`);
    }
    this.#out.push(part);
    return part;
  }

  #flush(): void {
    const port = this.#port;
    // Before the handshake the queue stays; #attach flushes it in order.
    if (!port || this.#closed) return;
    const out = this.#out.take();
    // Split at the broker's batch bounds, which it checks before parsing anything.
    let start = 0;
    let bytes = 0;
    for (let i = 0; i <= out.length; i++) {
      const size = i < out.length ? out[i]!.length + 1 : 0;
      if (i === out.length || i - start === MAX_OPS_PER_BATCH || bytes + size > MAX_BATCH_BYTES) {
        if (i > start) port.postMessage(`[${out.slice(start, i).join(',')}]`);
        start = i;
        bytes = 0;
      }
      bytes += size;
    }
  }

  #receive(raw: unknown): void {
    const n = decodeBrokerBatch(raw, (op) => this.#dispatch(op));
    // Flow control: tell the broker we kept up, so it keeps sending (see Connection).
    if (n > 0 && !this.#closed) this.#send({ op: 'ack', n });
  }

  #dispatch(op: BrokerOp): void {
    switch (op.op) {
      case 'evt': {
        const event: McEvent = { topic: op.topic, source: op.source, data: op.data };
        for (const [pattern, handlers] of this.#subs.values()) {
          if (matchTopic(pattern, event.topic)) for (const h of handlers.keys()) call(h, event);
        }
        return;
      }
      case 'state': {
        const watch = this.#watches.get(op.id);
        // A new broker's first answer repeats the version last delivered: not news.
        if (!watch || watch[3]?.version === op.version) return;
        const state = (watch[3] = { app: op.app, version: op.version, value: op.value });
        for (const h of watch[1].keys()) call(h, state);
        return;
      }
      case 'ok':
        return this.#settle(op.id, this.#pending.get(op.id), null, op.value);
      case 'gap':
        for (const handler of this.#errorHandlers) {
          call(handler, new McError('EVENTS_DROPPED', `${op.dropped} events dropped`));
        }
        return;
      case 'err': {
        const error = new McError(op.code, op.message, op);
        if (DEV_MODE && !this.#errorHandlers.size) warnRefusal(error);
        const { id } = op;
        if (id !== undefined && this.#pending.has(id)) {
          return this.#settle(id, this.#pending.get(id), error);
        }
        // A live subscription or watch the broker ended (the host revoked it): forget it, so
        // the next subscribe of its pattern asks again.
        if (id !== undefined && !this.#subs.delete(id)) this.#watches.delete(id);
        for (const handler of this.#errorHandlers) call(handler, error);
        return;
      }
    }
  }
}

/**
 * Checks an app id before it leaves, as topics are checked: the broker would refuse it, but
 * only after a round trip.
 */
function appId(app: string): string {
  if (isAppId(app)) return app;
  throw new McError('INVALID_ARGUMENT', `not an app id: ${app}`);
}

function on<T>(handlers: Set<T>, handler: T): () => void {
  handlers.add(handler);
  return () => handlers.delete(handler);
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
