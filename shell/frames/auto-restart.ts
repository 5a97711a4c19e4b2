/** Automatic remounts of an unresponsive widget before the slot waits for a person. */
export const AUTO_RESTARTS = 3;
/** The first automatic remount's delay; each next one doubles it. */
export const AUTO_RESTART_BASE_MS = 15_000;

/** One-shot timers; a fake one in tests steps through the backoff without waiting. */
export interface TimerClock {
  /** Runs `run` once after `ms`; returns the function that cancels it. */
  after(ms: number, run: () => void): () => void;
}

/** The page's own timers. */
export const realTimers: TimerClock = {
  after(ms, run) {
    const timer = setTimeout(run, ms);
    return () => clearTimeout(timer);
  },
};

/** Options of an {@link AutoRestart}. */
export interface AutoRestartOptions {
  /** Remounts before giving up; default {@link AUTO_RESTARTS}. */
  limit?: number;
  /** The first delay; default {@link AUTO_RESTART_BASE_MS}. */
  baseMs?: number;
  clock?: TimerClock;
}

/**
 * When to remount a widget that stopped answering. A crashed one (its pulse stopped too) at
 * once; a hung one (or one whose engine cannot tell) after a
 * backoff of 15, 30, then 60 s (a widget that is only busy for a while, or a loaded
 * machine, recovers first and cancels it); after `limit` remounts without an answer in
 * between, it stops, and the slot stays unresponsive with its Reload button.
 */
export class AutoRestart {
  readonly #restart: () => void;
  readonly #limit: number;
  readonly #baseMs: number;
  readonly #clock: TimerClock;
  /** Remounts since the widget last answered. */
  #count = 0;
  #cancel: (() => void) | undefined;

  constructor(restart: () => void, options: AutoRestartOptions = {}) {
    this.#restart = restart;
    this.#limit = options.limit ?? AUTO_RESTARTS;
    this.#baseMs = options.baseMs ?? AUTO_RESTART_BASE_MS;
    this.#clock = options.clock ?? realTimers;
  }

  /** Whether a remount is scheduled. */
  get pending(): boolean {
    return this.#cancel !== undefined;
  }

  /** Heartbeats were missed: schedule the next remount, unless the limit is reached. */
  unresponsive(): void {
    this.#schedule(this.#baseMs * 2 ** this.#count);
  }

  /**
   * The widget's process died (its pulse stopped too): waiting cannot help, so remount at
   * once. It counts toward the limit like a delayed remount, so a widget that crashes on
   * every start is not remounted without end.
   */
  crashed(): void {
    this.#schedule(0);
  }

  #schedule(delay: number): void {
    if (this.#count >= this.#limit) return;
    this.#count++;
    this.cancel();
    const cancel = this.#clock.after(delay, () => {
      if (this.#cancel === cancel) this.#cancel = undefined;
      this.#restart();
    });
    this.#cancel = cancel;
  }

  /** Heartbeats are answered again: no remount, and the backoff starts over. */
  responsive(): void {
    this.cancel();
    this.#count = 0;
  }

  /**
   * Cancels a pending remount (a session started, a manual restart, the slot is removed);
   * the count stays until the widget answers again.
   */
  cancel(): void {
    this.#cancel?.();
    this.#cancel = undefined;
  }
}
