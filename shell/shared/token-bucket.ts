/**
 * A token bucket: `rate` tokens per second, holding at most `capacity`. In `shared/` because
 * the broker (per-port quotas) and the host services (per-app call rates) both use it, and
 * neither may import the other's folder (docs/decisions/0009-boundaries.md).
 */
export class TokenBucket {
  readonly #rate: number;
  readonly #capacity: number;
  readonly #now: () => number;
  #tokens: number;
  #last: number;

  constructor(rate: number, capacity: number, now: () => number) {
    this.#rate = rate;
    this.#capacity = capacity;
    this.#now = now;
    this.#tokens = capacity;
    this.#last = now();
  }

  /**
   * Takes `cost` tokens if there are enough; false (and nothing taken) otherwise. `now` lets
   * a caller that takes many times in one turn read the clock once for all of them.
   */
  take(cost = 1, now: number = this.#now()): boolean {
    // A caller's `now` may be older than the last refill (it was read before another take).
    if (now < this.#last) now = this.#last;
    this.#tokens = Math.min(
      this.#capacity,
      this.#tokens + ((now - this.#last) / 1000) * this.#rate,
    );
    this.#last = now;
    if (this.#tokens < cost) return false;
    this.#tokens -= cost;
    return true;
  }
}
