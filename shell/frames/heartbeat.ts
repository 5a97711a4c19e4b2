/** How often the host beats each widget while it is visible. */
export const HEARTBEAT_INTERVAL_MS = 1000;
/** Missed beats in a row after which a widget is unresponsive. */
export const HEARTBEAT_MISSES = 3;

/**
 * Beats one widget: calls `beat` every interval and counts answers that do not come within
 * the interval. Paused while the page is hidden or the slot is off-screen, because the
 * browser throttles timers there and a verdict would be false; misses reset on resume.
 */
export class Heartbeat {
  #timer: ReturnType<typeof setInterval> | undefined;
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
   */
  constructor(
    readonly beat: (timeoutMs: number, nextWithinMs: number) => Promise<unknown>,
    readonly onChange: (responsive: boolean) => void,
    readonly intervalMs = HEARTBEAT_INTERVAL_MS,
    readonly misses = HEARTBEAT_MISSES,
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
    return this.#timer !== undefined;
  }

  #onVisibility = (): void => {
    this.#visible = document.visibilityState === 'visible';
    this.#update();
  };

  #update(): void {
    const wanted = this.#running && this.#visible && this.#onScreen;
    if (wanted && this.#timer === undefined) {
      this.#misses = 0;
      this.#timer = setInterval(() => this.#tick(), this.intervalMs);
    } else if (!wanted && this.#timer !== undefined) {
      clearInterval(this.#timer);
      this.#timer = undefined;
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
