/**
 * A token bucket: `burst` frames at once, refilled at `ratePerSec`. Frames over the rate are
 * dropped unread; {@link TokenBucket.take} says whether this one may pass.
 */
export class TokenBucket {
  #tokens: number;
  #last: number;
  readonly #rate: number;
  readonly #burst: number;

  constructor(ratePerSec: number, burst: number, now: number = performance.now()) {
    this.#rate = ratePerSec / 1000;
    this.#burst = burst;
    this.#tokens = burst;
    this.#last = now;
  }

  take(now: number = performance.now()): boolean {
    this.#tokens = Math.min(this.#burst, this.#tokens + (now - this.#last) * this.#rate);
    this.#last = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
