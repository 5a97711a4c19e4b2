import type { AppContext } from './context.ts';

/**
 * What the host puts in a widget's URL fragment, and what `hello` returns. The fragment
 * never reaches a server, so the nonce does not leak into logs or referrers.
 */
export interface FrameParams {
  nonce: string;
  hostOrigin: string;
}

/** The value `hello` resolves to in the widget. */
export interface HelloReply {
  port: MessagePort;
  context: AppContext;
}

/**
 * The penpal method tables, one per direction: {@link HostMethods} and `ServiceMethods`
 * (services.ts) widget → host, {@link WidgetMethods} host → widget. The caller's side is
 * typed by them through penpal's `RemoteProxy` (and `Client.call`); the receiving side
 * implements them: the host as {@link Receiver} (arguments from a widget are unchecked until
 * it parses them), the widget as the table itself (it takes its host's word).
 */

/** Methods the host exposes to a widget over penpal. */
export type HostMethods = {
  hello(nonce: string, protocolVersion: number): Promise<HelloReply>;
  /**
   * Hands the host the port a Worker of the widget's SDK posts on every
   * {@link PULSE_INTERVAL_MS}: it beats on while the widget's main thread is busy and stops
   * with its process, so the host tells a hang from a crash (docs/decisions/0021-crash-or-hang.md).
   */
  pulse(port: MessagePort): void;
};

/** How often the widget's pulse Worker posts to the host. */
export const PULSE_INTERVAL_MS = 250;

/** Methods a widget's SDK exposes to the host over penpal. */
export type WidgetMethods = {
  /**
   * The heartbeat: answers at once while the widget's event loop is alive. `nextWithinMs`
   * says when the next beat is due at the latest (0: beats pause), so the widget can tell
   * when the host went away.
   */
  ping(nextWithinMs: number): 'pong';
  /** The host's context changed (theme, locale, user). */
  context(context: AppContext): void;
  /**
   * A host → widget call of a method the app answers with `handle()` (sdk/host-calls.ts).
   * Refuses with `{ code, message }`: `NOT_FOUND` for a method the app does not handle,
   * `CALL_FAILED` (or the McError's own code) when its handler throws. A widget that imports
   * no `handle` has no such method (penpal answers `METHOD_NOT_FOUND`).
   */
  call(method: string, args: unknown[]): Promise<unknown>;
  /**
   * The host is about to unmount the widget (`unmount`) or the page is hiding (`pagehide`):
   * resolves once the app's `onTeardown` handlers settled. The host waits a short grace
   * period at most; a widget without handlers has no such method and is not waited for.
   */
  teardown(reason: TeardownReason): Promise<void>;
  /**
   * The broker Worker was replaced (it died): `port` is this session's channel to the new
   * one. The SDK moves to it and asks again for what it held: its subscriptions, its watches
   * and the requests still waiting (docs/decisions/0034-reattach.md). Same session, same
   * epoch: the widget is not reloaded.
   */
  reattach(port: MessagePort): void;
};

/** Why the host tears a widget down: its slot is going away, or the whole page is hiding. */
export type TeardownReason = 'unmount' | 'pagehide';

/**
 * A method table as an untrusting receiver implements it: every argument arrives unchecked
 * (`unknown`, for the method to parse), every answer is the declared one, possibly wrapped
 * the way penpal sends transferables (`new Reply(value, { transferables })` has `value`).
 * A change to a method's answer fails `tsc` at the implementation and at the caller.
 */
export type Receiver<T> = {
  [K in keyof T]: T[K] extends (...args: infer A) => infer R
    ? (...args: { [I in keyof A]: unknown }) => Answer<Awaited<R>>
    : never;
};
type Answer<R> = R | Promise<R> | Promise<{ readonly value: R }>;

/** Builds the fragment the host appends to a widget URL. */
export function encodeFrameParams(params: FrameParams): string {
  const search = new URLSearchParams({ 'mc-nonce': params.nonce, 'mc-host': params.hostOrigin });
  return `#${search.toString()}`;
}

/** Reads the fragment in a widget; null when it is missing or malformed. */
export function decodeFrameParams(hash: string): FrameParams | null {
  const search = new URLSearchParams(hash.replace(/^#/, ''));
  const nonce = search.get('mc-nonce');
  const hostOrigin = search.get('mc-host');
  // No shape check on the origin: penpal compares it exactly with the sender's origin.
  if (!nonce || !hostOrigin) return null;
  return { nonce, hostOrigin };
}

/** A widget's handler of a host → widget call (`handle()`): its answer is the call's. */
export type HostCallHandler = (...args: never[]) => unknown;
/** A widget's teardown handler (`onTeardown()`): the host waits for it, up to its grace. */
export type TeardownHandler = (reason: TeardownReason) => unknown;
/**
 * What the SDK copies in one document share of host calls: each method's handler, and the
 * teardown handlers. Kept in the document's session, so that every copy answers the host.
 */
export type Callees = [Map<string, HostCallHandler>, Set<TeardownHandler>];
