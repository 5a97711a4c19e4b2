import * as Comlink from 'comlink';

import type { BrokerControl, HostListener } from '../broker/broker-worker.ts';

/** How often the host checks that the broker Worker still answers. */
export const BROKER_PING_INTERVAL_MS = 2000;
/**
 * How long a broker ping may take before the Worker is declared dead. Generous on purpose:
 * a hostile widget can keep the broker busy for seconds with one huge structured-clone
 * message (the engine deserializes it before any check can refuse it), and restarting a
 * merely busy broker would remount every widget, the attacker included, again and again.
 */
export const BROKER_PING_TIMEOUT_MS = 15_000;

/**
 * The host page's handle on the broker Worker: spawns it, drives it with comlink, and
 * watches it (its `error` event, and a ping that must be answered in time). On failure it
 * calls `onFailure` once per Worker; `respawn()` replaces the Worker with a fresh one.
 */
export class BrokerLink {
  #worker!: Worker;
  #remote!: Comlink.Remote<BrokerControl>;
  #watchdog: ReturnType<typeof setInterval> | undefined;
  #failed = false;
  #pinging = false;

  constructor(
    readonly listener: HostListener,
    readonly onFailure: () => void,
  ) {
    this.#spawn();
  }

  /** The comlink proxy of the current Worker. */
  get remote(): Comlink.Remote<BrokerControl> {
    return this.#remote;
  }

  /** Terminates the current Worker (if still running) and starts a fresh one. */
  respawn(): void {
    this.#release();
    this.#spawn();
  }

  /** Stops watching and terminates the Worker. */
  destroy(): void {
    this.#release();
  }

  /** Terminates the Worker as a crash would, without telling anyone: for fault tests. */
  killForTesting(): void {
    this.#worker.terminate();
  }

  #spawn(): void {
    this.#failed = false;
    this.#worker = new Worker(new URL('../broker/broker-worker.ts', import.meta.url), {
      type: 'module',
      name: 'microcanvas-broker',
    });
    this.#worker.addEventListener('error', this.#fail);
    this.#remote = Comlink.wrap<BrokerControl>(this.#worker);
    void this.#remote.listen(Comlink.proxy(this.listener));
    this.#watchdog = setInterval(() => void this.#ping(), BROKER_PING_INTERVAL_MS);
  }

  async #ping(): Promise<void> {
    if (this.#pinging || this.#failed) return;
    this.#pinging = true;
    const remote = this.#remote;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), BROKER_PING_TIMEOUT_MS);
    });
    const answer = await Promise.race([remote.ping().catch(() => 'error'), timeout]);
    clearTimeout(timer);
    this.#pinging = false;
    if (answer !== 'pong' && remote === this.#remote) this.#fail();
  }

  #fail = (): void => {
    if (this.#failed) return;
    this.#failed = true;
    this.onFailure();
  };

  #release(): void {
    clearInterval(this.#watchdog);
    this.#worker.removeEventListener('error', this.#fail);
    this.#remote[Comlink.releaseProxy]();
    this.#worker.terminate();
    this.#pinging = false;
  }
}
