import type { TimerClock } from '../../shell/frames/auto-restart.ts';
import type { BeatClock } from '../../shell/frames/heartbeat.ts';

interface Interval {
  readonly ms: number;
  readonly tick: () => void;
  due: number;
  /** A one-shot timer (`after`) ends after its first tick. */
  readonly once?: boolean;
}

/**
 * A clock that only moves when a test advances it: `now()` for the broker, token buckets and
 * limiters, `every()` for the heartbeat, `after()` for one-shot timers (auto-restart). A test steps through a deadline in microseconds of
 * real time, and a count of beats or refills is exact instead of a sleep's best guess.
 */
export class FakeClock implements BeatClock, TimerClock {
  #now = 0;
  readonly #intervals = new Set<Interval>();

  /** The current fake time in milliseconds. */
  now = (): number => this.#now;

  every(ms: number, tick: () => void): () => void {
    const interval: Interval = { ms, tick, due: this.#now + ms };
    this.#intervals.add(interval);
    return () => this.#intervals.delete(interval);
  }

  after(ms: number, run: () => void): () => void {
    const timer: Interval = { ms, tick: run, due: this.#now + ms, once: true };
    this.#intervals.add(timer);
    return () => this.#intervals.delete(timer);
  }

  /** Intervals and timers that are running. */
  get running(): number {
    return this.#intervals.size;
  }

  /**
   * Moves time forward by `ms`, firing every interval that falls due in order, and lets the
   * promise callbacks a tick started run before the next tick (as they would between real
   * timer tasks).
   */
  async advance(ms: number): Promise<void> {
    const end = this.#now + ms;
    for (;;) {
      let next: Interval | undefined;
      for (const interval of this.#intervals) {
        if (interval.due <= end && (next === undefined || interval.due < next.due)) next = interval;
      }
      if (next === undefined) break;
      this.#now = next.due;
      next.due += next.ms;
      if (next.once) this.#intervals.delete(next);
      next.tick();
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    this.#now = end;
  }
}
