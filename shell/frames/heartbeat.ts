/** How often the host beats each widget while it is visible. */
export const HEARTBEAT_INTERVAL_MS = 1000;
/** Missed beats in a row after which a widget is unresponsive. */
export const HEARTBEAT_MISSES = 3;

/** The repeating timer a {@link Heartbeat} beats on; tests pass a fake one and step it. */
export interface BeatClock {
  /** Calls `tick` every `ms` milliseconds until the returned function is called. */
  every(ms: number, tick: () => void): () => void;
}

/** The page's own timers. */
export const REAL_BEAT_CLOCK: BeatClock = {
  every(ms, tick) {
    const id = setInterval(tick, ms);
    return () => clearInterval(id);
  },
};

/**
 * Beats one widget: calls `beat` every interval and counts answers that do not come within
 * the interval. Paused while the page is hidden or the slot is off-screen, because the
 * browser throttles timers there and a verdict would be false; misses reset on resume.
 */
export class Heartbeat {
  /** Cancels the running interval; undefined while no beats are sent. */
  #cancel: (() => void) | undefined;
  #misses = 0;
  #inFlight = false;
  #visible = true;
  /** Unknown until the observer's first report; no beats (and no verdicts) before it. */
  #onScreen = false;
  #running = false;
  #observer: IntersectionObserver | undefined;

  /**
   * @param beat sends one beat; `nextWithinMs` is when the next is due at the latest, 0 when
   *   beats pause (the widget uses it to tell that the host went away).
   * @param clock the interval timer, so that a test can step beats instead of waiting them out
   */
  constructor(
    readonly beat: (timeoutMs: number, nextWithinMs: number) => Promise<unknown>,
    readonly onChange: (responsive: boolean) => void,
    readonly intervalMs = HEARTBEAT_INTERVAL_MS,
    readonly misses = HEARTBEAT_MISSES,
    readonly clock: BeatClock = REAL_BEAT_CLOCK,
  ) {}

  /** Starts beating; `element` is the slot whose visibility gates the beats. */
  start(element: Element): void {
    this.#running = true;
    this.#misses = 0;
    document.addEventListener('visibilitychange', this.#onVisibility);
    this.#visible = document.visibilityState === 'visible';
    this.#observer = new IntersectionObserver((entries) => {
      this.#onScreen = entries.at(-1)?.isIntersecting ?? true;
      this.#update();
    });
    this.#observer.observe(element);
    this.#update();
  }

  /** Stops beating for good (a later start() begins afresh). */
  stop(): void {
    this.#running = false;
    document.removeEventListener('visibilitychange', this.#onVisibility);
    this.#observer?.disconnect();
    this.#observer = undefined;
    this.#update();
  }

  /** 1 while a beat waits for its answer, else 0. */
  get pendingCalls(): number {
    return this.#inFlight ? 1 : 0;
  }

  /** True while beats are being sent (visible, on screen, started). */
  get active(): boolean {
    return this.#cancel !== undefined;
  }

  #onVisibility = (): void => {
    this.#visible = document.visibilityState === 'visible';
    this.#update();
  };

  #update(): void {
    const wanted = this.#running && this.#visible && this.#onScreen;
    if (wanted && this.#cancel === undefined) {
      this.#misses = 0;
      this.#cancel = this.clock.every(this.intervalMs, () => this.#tick());
    } else if (!wanted && this.#cancel !== undefined) {
      this.#cancel();
      this.#cancel = undefined;
      // Tell the widget that silence from now on is a pause, not the host going away.
      if (this.#running) this.beat(this.intervalMs, 0).catch(() => undefined);
    }
  }

  #tick(): void {
    if (this.#inFlight) return;
    this.#inFlight = true;
    this.beat(this.intervalMs, this.intervalMs * (this.misses + 2)).then(
      () => {
        this.#inFlight = false;
        if (this.#misses >= this.misses) this.onChange(true);
        this.#misses = 0;
      },
      () => {
        this.#inFlight = false;
        if (!this.active) return;
        this.#misses++;
        if (this.#misses === this.misses) this.onChange(false);
      },
    );
  }
}
