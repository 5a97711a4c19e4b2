import { DEV_MODE, explainNotEmbedded } from '#microcanvas-dev';

import { Client } from './client.ts';
import type { App, TypedClient } from './typed.ts';
import type { ClientLink, HostStatus, LinkSink } from './link.ts';
import { penpalChild, type HostChannel } from './penpal-child.ts';
import { McError } from './protocol/errors.ts';
import type { AppContext } from './protocol/context.ts';
import {
  decodeFrameParams,
  PULSE_INTERVAL_MS,
  type Callees,
  type HostMethods,
  type WidgetMethods,
} from './protocol/handshake.ts';
import type { ServiceMethods } from './protocol/services.ts';
import { PROTOCOL_VERSION } from './protocol/version.ts';

/** Options of {@link connect}. */
export interface ConnectOptions {
  /** How long to wait for the host before `ready` rejects with `HANDSHAKE_TIMEOUT`. */
  timeoutMs?: number;
}

/** Default deadline for the whole handshake. */
export const CONNECT_TIMEOUT_MS = 10_000;

/**
 * What a document keeps of its session, for every copy of the SDK in the page (a layout all
 * versions keep): two libraries that each call `connect()`, even each with an SDK of its
 * own, share one session instead of two handshakes that break each other. `methods` is the
 * table the host calls: `handle()` (host-calls.ts) adds to it.
 */
export type Session = [
  protocolVersion: number,
  client: Client,
  methods: WidgetMethods,
  callees?: Callees,
];
const SESSION = Symbol.for('microcanvas');
const page = globalThis as { [SESSION]?: Session };

/** The document's session, once a copy of the SDK connected it. */
export const session = (): Session | undefined => page[SESSION];

/**
 * Connects this widget to the microcanvas host that framed it and returns its client at
 * once: penpal's handshake with the parent window (only at the host origin given in the URL
 * fragment), then `hello` with the mount nonce, which hands back a private port to the
 * broker. What the widget publishes or subscribes before that is kept in order and sent
 * then; `await client.ready` to know the outcome.
 *
 * One document has one session: a second `connect()`, from any copy of the SDK in the page,
 * returns the same client while it is open, and its options are ignored (the session speaks
 * the protocol of the copy that connected it, which the host accepted).
 *
 * `connect<Own, Peers>()` gives the same client typed by the apps' declared topics and
 * state ({@link App}, docs/typed-topics.md).
 *
 * @throws McError `NOT_EMBEDDED` when the page was not framed by a host.
 */
export function connect(options?: ConnectOptions): Client;
export function connect<Own extends App, Peers extends App = never>(
  options?: ConnectOptions,
): TypedClient<Own, Peers>;
// The typed view is the same object: its overload differs from the implementation in types only.
export function connect(options: ConnectOptions = {}): unknown {
  const open = page[SESSION]?.[1];
  if (open) return open;
  const params = decodeFrameParams(location.hash);
  if (window.parent === window || !params) {
    // The development build also explains, on the page, how to run a widget.
    if (DEV_MODE) explainNotEmbedded(window.parent !== window);
    throw new McError('NOT_EMBEDDED', 'not framed by a microcanvas host');
  }
  const timeout = options.timeoutMs ?? CONNECT_TIMEOUT_MS;
  let sink: LinkSink | undefined;
  const beat = hostLiveness((status) => sink?.host(status));
  // A null-prototype table: inherited names such as `constructor` are not callable.
  const methods: WidgetMethods = Object.create(null);
  methods.ping = (nextWithinMs) => (beat(nextWithinMs), 'pong');
  methods.context = (context) => {
    applyContext(context);
    sink?.context(context);
  };
  // Only the host calls these (penpal answers its window alone); still, a port is checked.
  methods.reattach = (port) => {
    if (!(port instanceof MessagePort) || !sink) throw { code: 'INVALID_ARGUMENT' };
    sink.port(port);
  };
  // A closed or failed client is not handed out again: the next connect() starts afresh.
  const release = () => page[SESSION]?.[1] === client && delete page[SESSION];
  const deadline = Date.now() + timeout;
  const host = penpalChild<HostMethods & ServiceMethods>(
    window.parent,
    params.hostOrigin,
    methods,
    timeout,
  );
  const link = (async (): Promise<ClientLink> => {
    try {
      await host.ready;
      // The handshake's deadline covers penpal's messages only; hello gets what is left.
      const reply = await host.call(
        'hello',
        [params.nonce, PROTOCOL_VERSION],
        Math.max(1, deadline - Date.now()),
      );
      applyContext(reply.context);
      const worker = pulse(host);
      return {
        port: reply.port,
        context: reply.context,
        // The service table is a part of the host's: ServiceMethods types the call at
        // Client.call, and the host checks every argument again.
        call: host.call as ClientLink['call'],
        bind: (s) => (sink = s),
        close: () => {
          release();
          beat(0);
          worker?.terminate();
          host.destroy();
        },
      };
    } catch (error) {
      release();
      host.destroy();
      const { code, message } = error as { code?: string; message?: string };
      if (code === 'CONNECTION_TIMEOUT' || code === 'METHOD_CALL_TIMEOUT') {
        throw new McError('HANDSHAKE_TIMEOUT', `no answer from the host within ${timeout} ms`);
      }
      // The host refuses with { code, message }; only a version mismatch needs telling apart.
      throw new McError(code === 'PROTOCOL_MISMATCH' ? code : 'HANDSHAKE_REFUSED', String(message));
    }
  })();
  const client = new Client(link);
  page[SESSION] = [PROTOCOL_VERSION, client, methods];
  return client;
}

/**
 * Starts the pulse: a Worker posts on its own port to the host. It beats on while this
 * page's main thread is busy and dies with the renderer, so the host tells a hang from a
 * crash. Where no Worker starts (a CSP without `blob:` workers) the host cannot tell them
 * apart and says `unresponsive` for both.
 */
function pulse(host: HostChannel<HostMethods>): Worker | undefined {
  try {
    const { port1, port2 } = new MessageChannel();
    const source = `onmessage=e=>setInterval(()=>e.data.postMessage(0),${PULSE_INTERVAL_MS})`;
    const worker = new Worker(URL.createObjectURL(new Blob([source])));
    worker.postMessage(port1, [port1]);
    host.call('pulse', [port2], undefined, [port2]).catch(() => undefined);
    return worker;
  } catch {
    return undefined;
  }
}

/**
 * The widget's view of the host's heartbeat. Each beat says when the next one is due at the
 * latest (0: beats pause, the slot is hidden or off-screen). A beat that does not come while
 * this page is visible means the host went away; the next one means it is back.
 */
function hostLiveness(report: (status: HostStatus) => void) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let away = false;
  const arm = (ms: number): void => {
    timer = setTimeout(() => {
      // Hidden pages throttle both sides' timers: no verdict until this page is visible.
      if (document.hidden) return arm(ms);
      away = true;
      report('away');
    }, ms);
  };
  return (nextWithinMs: unknown): void => {
    clearTimeout(timer);
    if (away) report('connected');
    away = false;
    if (typeof nextWithinMs === 'number' && nextWithinMs > 0) arm(nextWithinMs);
  };
}

let applied: string[] = [];

/** Applies the host's theme: `color-scheme` and its `--mc-*` custom properties. */
function applyContext(context: AppContext): void {
  const style = document.documentElement.style;
  for (const name of applied) style.removeProperty(name);
  applied = Object.keys(context.tokens ?? {}).filter((name) => name.startsWith('--mc-'));
  for (const name of applied) style.setProperty(name, String(context.tokens![name]));
  style.colorScheme = context.theme;
}
