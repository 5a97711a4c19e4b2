import type * as Comlink from 'comlink';

import {
  McError,
  toMcError,
  type BrokerControl,
  type HostListener,
} from '../../sdk/protocol/index.ts';
import { lazy } from '../shared/lazy.ts';

/** How often the host checks that the broker Worker still answers. */
export const BROKER_PING_INTERVAL_MS = 2000;
/**
 * How long a broker ping may take before the Worker is declared hung. Generous on purpose:
 * a hostile widget can keep the broker busy for seconds with one huge structured-clone
 * message (the engine deserializes it before any check can refuse it), and restarting a
 * merely busy broker would remount every widget, the attacker included, again and again.
 * A dead broker is noticed at once, by the Web Lock it held being released (see `#watch`).
 */
export const BROKER_PING_TIMEOUT_MS = 15_000;

type Remote = Comlink.Remote<BrokerControl>;
/** comlink's API, handed to each call for `transfer` (it must be the link's own copy). */
type ComlinkApi = typeof Comlink;
/** One call: what to ask the Worker's remote. */
type Invoke<T> = (remote: Remote, comlink: ComlinkApi) => Promise<T>;

/**
 * comlink, loaded when the first broker Worker is spawned rather than with the page
 * (docs/decisions/0012-performance.md): the Worker starts at once, calls wait for the link.
 */
const loadComlink: () => Promise<ComlinkApi> = lazy(() => import('comlink'));

/**
 * The host page's handle on the broker Worker: spawns it, drives it with comlink, and
 * watches it (its `error` event, and a ping that must be answered in time). On failure it
 * calls `onFailure` once per Worker; `respawn()` replaces the Worker with a fresh one.
 *
 * Every call goes through {@link call}, which never waits forever: comlink drops the calls
 * in flight when its proxy is released without settling them, so the link keeps its own
 * table and rejects them with `BROKER_UNAVAILABLE` when the Worker is replaced or stopped.
 */
export class BrokerLink {
  #worker!: Worker;
  /** The current Worker's remote, once comlink is loaded; calls wait on it. */
  #link!: Promise<{ remote: Remote; comlink: ComlinkApi }>;
  #unlink: (() => void) | undefined;
  #listenerPort!: MessagePort;
  #watchdog: ReturnType<typeof setInterval> | undefined;
  #failed = false;
  #released = false;
  /** Rejecters of the calls in flight to the current Worker. */
  #inflight = new Set<(error: McError) => void>();
  /**
   * The watchdog's ping in flight (at most one): rejected on release like any call, but not
   * counted as a pending call.
   */
  #pings = new Set<(error: McError) => void>();

  /**
   * @param timeoutMs how long the Worker may leave a ping or a call unanswered before it is
   *   declared dead (default {@link BROKER_PING_TIMEOUT_MS}).
   */
  constructor(
    readonly listener: HostListener,
    readonly onFailure: () => void,
    readonly timeoutMs = BROKER_PING_TIMEOUT_MS,
  ) {
    this.#spawn();
  }

  /** Calls in flight to the broker (counted by `Host.counters()`). */
  get pendingCalls(): number {
    return this.#inflight.size;
  }

  /**
   * Calls the broker. Rejects with `BROKER_UNAVAILABLE` when its Worker is replaced or
   * stopped first, or when it does not answer within `timeoutMs`. The default outlasts the
   * watchdog (a ping starts within one interval and fails after `this.timeoutMs`), so a dead
   * broker is restarted, and its calls rejected with "broker restarted", before that.
   */
  call<T>(invoke: Invoke<T>, timeoutMs = this.timeoutMs + 2 * BROKER_PING_INTERVAL_MS): Promise<T> {
    return this.#call(invoke, timeoutMs, this.#inflight);
  }

  #call<T>(
    invoke: Invoke<T>,
    timeoutMs: number,
    inflight: Set<(error: McError) => void>,
  ): Promise<T> {
    if (this.#released) {
      return Promise.reject(new McError('BROKER_UNAVAILABLE', 'broker stopped'));
    }
    return new Promise<T>((resolve, reject) => {
      // Settles once: by the answer, the deadline, or the release of the Worker (`fail`).
      const settle = (outcome: () => void) => {
        if (!inflight.delete(fail)) return;
        clearTimeout(timer);
        outcome();
      };
      const fail = (error: McError) => settle(() => reject(error));
      const timer = setTimeout(
        () =>
          fail(new McError('BROKER_UNAVAILABLE', `no answer from the broker in ${timeoutMs} ms`)),
        timeoutMs,
      );
      inflight.add(fail);
      // Calls made before comlink has loaded wait for it, in the order they were made.
      const answer = this.#link.then(({ remote, comlink }) => invoke(remote, comlink));
      answer.then(
        (value) => settle(() => resolve(value)),
        (error: unknown) => settle(() => reject(toMcError(error, 'BROKER_UNAVAILABLE'))),
      );
    });
  }

  /** A call whose outcome nobody waits for; its failure is the watchdog's business. */
  send(invoke: Invoke<unknown>): void {
    this.call(invoke).catch(() => undefined);
  }

  /** Terminates the current Worker (if still running) and starts a fresh one. */
  respawn(): void {
    this.#release('broker restarted');
    this.#spawn();
  }

  /** Stops watching and terminates the Worker; calls in flight reject. */
  destroy(): void {
    if (this.#released) return;
    this.#release('broker stopped');
    this.#released = true;
  }

  #spawn(): void {
    this.#failed = false;
    this.#inflight = new Set();
    this.#pings = new Set();
    this.#worker = new Worker(new URL('../broker/broker-worker.ts', import.meta.url), {
      type: 'module',
      name: 'microcanvas-broker',
    });
    this.#worker.addEventListener('error', this.#fail);
    // Our own channel for the Worker's reports (not Comlink.proxy), so its page end can be
    // closed when this Worker is let go.
    const { port1, port2 } = new MessageChannel();
    this.#listenerPort = port1;
    const worker = this.#worker;
    let released = false;
    this.#unlink = () => (released = true);
    this.#link = loadComlink().then((comlink) => {
      if (released) throw new McError('BROKER_UNAVAILABLE', 'broker stopped');
      const remote = comlink.wrap<BrokerControl>(worker);
      comlink.expose(this.listener, port1);
      this.#unlink = () => remote[comlink.releaseProxy]();
      return { remote, comlink };
    });
    // A failed load leaves every call to its deadline, and the watchdog to restart.
    this.#link.catch(() => undefined);
    this.send((remote, comlink) => remote.listen(comlink.transfer(port2, [port2])));
    this.#watchdog = setInterval(() => this.#ping(), BROKER_PING_INTERVAL_MS);
    this.#watchLock(worker);
  }

  /**
   * Death, told apart from load (docs/decisions/0032-broker-death.md): the broker holds a
   * Web Lock of a name of its own for its whole life, and the page then asks for the same
   * lock, which it is granted only when the Worker has ended (terminated, crashed), however
   * busy the Worker was before. Without Web Locks (not a secure context) the ping alone
   * judges, as it does a hung broker.
   */
  #watchLock(worker: Worker): void {
    const locks = globalThis.navigator?.locks;
    if (!locks) return;
    const name = `microcanvas-broker-${crypto.randomUUID()}`;
    this.call((remote) => remote.hold(name))
      .then(() =>
        locks.request(name, () => {
          // A Worker this link let go itself (replaced, stopped) released it too.
          if (worker === this.#worker && !this.#released) this.#fail();
        }),
      )
      .catch(() => undefined);
  }

  #ping(): void {
    if (this.#pings.size > 0 || this.#failed) return;
    const worker = this.#worker;
    const done = (answer: unknown) => {
      // A ping to a Worker already replaced (or stopped) says nothing about the current one.
      if (worker !== this.#worker || this.#released) return;
      if (answer !== 'pong') this.#fail();
    };
    this.#call((remote) => remote.ping(), this.timeoutMs, this.#pings).then(done, done);
  }

  #fail = (): void => {
    if (this.#failed) return;
    this.#failed = true;
    this.onFailure();
  };

  #release(reason: string): void {
    clearInterval(this.#watchdog);
    this.#worker.removeEventListener('error', this.#fail);
    this.#unlink?.();
    this.#unlink = undefined;
    this.#worker.terminate();
    this.#listenerPort.close();
    const error = new McError('BROKER_UNAVAILABLE', reason);
    for (const reject of [...this.#inflight, ...this.#pings]) reject(error);
  }
}
