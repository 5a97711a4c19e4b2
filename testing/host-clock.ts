import { REAL_BEAT_CLOCK, type BeatClock } from '../shell/index.ts';

/**
 * The heartbeat clock of a simulated host: the page's own timers, and a switch. While it is
 * off, beats stop without the pause notice a hidden slot sends, which is exactly what a
 * widget sees when its host page hangs or goes away: after the deadline of the last beat it
 * reports the host `away`, and the first beat after the switch is back on, `connected`.
 */
export class HostClock implements BeatClock {
  #running = true;
  #beats = 0;
  readonly #waiting = new Set<() => void>();

  get running(): boolean {
    return this.#running;
  }

  set running(value: boolean) {
    this.#running = value;
  }

  /** Beats sent so far. */
  get beats(): number {
    return this.#beats;
  }

  /**
   * Resolves once more than `count` beats were sent. A widget learns when to expect the next
   * beat from each one: before its first, it has no deadline to miss.
   */
  beyond(count: number): Promise<void> {
    if (this.#beats > count) return Promise.resolve();
    return new Promise((resolve) => {
      const check = () => {
        if (this.#beats <= count) return;
        this.#waiting.delete(check);
        resolve();
      };
      this.#waiting.add(check);
    });
  }

  every(ms: number, tick: () => void): () => void {
    return REAL_BEAT_CLOCK.every(ms, () => {
      if (!this.#running) return;
      this.#beats++;
      tick();
      for (const check of [...this.#waiting]) check();
    });
  }
}
