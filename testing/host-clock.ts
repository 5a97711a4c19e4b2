import { REAL_BEAT_CLOCK, type BeatClock } from '../shell/index.ts';

/**
 * The heartbeat clock of a simulated host: the page's own timers, and a switch. While it is
 * off, beats stop without the pause notice a hidden slot sends, which is exactly what a
 * widget sees when its host page hangs or goes away: after the deadline of the last beat it
 * reports the host `away`, and the first beat after the switch is back on, `connected`.
 */
export class HostClock implements BeatClock {
  #running = true;

  get running(): boolean {
    return this.#running;
  }

  set running(value: boolean) {
    this.#running = value;
  }

  every(ms: number, tick: () => void): () => void {
    return REAL_BEAT_CLOCK.every(ms, () => {
      if (this.#running) tick();
    });
  }
}
