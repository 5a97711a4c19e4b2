/** A token-bucket rate: `burst` requests at once, refilled at `perSec`. */
export interface Rate {
  readonly perSec: number;
  readonly burst: number;
}

interface Bucket {
  tokens: number;
  last: number;
}

/**
 * Token buckets keyed by a string (an app, or an app and a user), each process on its own:
 * with N server processes a client can reach N times the rate (docs/backends.md). The map is
 * bounded: when it holds `maxKeys` buckets, the full ones (idle long enough to have
 * refilled, so forgetting them changes nothing) are swept, then the oldest if need be.
 */
export class RateLimiter {
  readonly #rate: Rate;
  readonly #maxKeys: number;
  readonly #buckets = new Map<string, Bucket>();

  constructor(rate: Rate, maxKeys = 100_000) {
    this.#rate = rate;
    this.#maxKeys = maxKeys;
  }

  /**
   * Takes one token for `key`: 0 when it may pass, else the seconds until one is back
   * (for `Retry-After`, at least 1). A refused request takes nothing.
   */
  take(key: string, now: number = performance.now()): number {
    const perMs = this.#rate.perSec / 1000;
    let bucket = this.#buckets.get(key);
    if (bucket === undefined) {
      if (this.#buckets.size >= this.#maxKeys) this.#sweep(now);
      bucket = { tokens: this.#rate.burst, last: now };
      this.#buckets.set(key, bucket);
    } else {
      bucket.tokens = Math.min(this.#rate.burst, bucket.tokens + (now - bucket.last) * perMs);
      bucket.last = now;
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000));
  }

  /** Gives back a token taken by {@link take} for a request refused by another limit. */
  refund(key: string): void {
    const bucket = this.#buckets.get(key);
    if (bucket !== undefined) bucket.tokens = Math.min(this.#rate.burst, bucket.tokens + 1);
  }

  #sweep(now: number): void {
    const perMs = this.#rate.perSec / 1000;
    for (const [key, bucket] of this.#buckets) {
      if (bucket.tokens + (now - bucket.last) * perMs >= this.#rate.burst)
        this.#buckets.delete(key);
    }
    // Still full of active keys: drop the oldest inserted (Map keeps insertion order).
    for (const key of this.#buckets.keys()) {
      if (this.#buckets.size < this.#maxKeys) break;
      this.#buckets.delete(key);
    }
  }
}
