import { TokenBucket } from '../transport/token-bucket.ts';

/** Users whose buckets one process keeps; beyond, the least recently used one goes. */
const MAX_USERS = 10_000;

/**
 * Per-user token buckets (a `Map`: user ids are the authenticator's, but nothing keyed by a
 * string should meet a prototype). Per process: behind a load balancer each process allows
 * the rate, which bounds a user's total by rate × processes.
 */
export class UserLimiter {
  readonly #buckets = new Map<string, TokenBucket>();
  readonly #perSecond: number;
  readonly #burst: number;

  constructor(perSecond: number, burst: number) {
    this.#perSecond = perSecond;
    this.#burst = burst;
  }

  /** True when `user` may make one more request now. */
  take(user: string): boolean {
    let bucket = this.#buckets.get(user);
    if (bucket === undefined) {
      bucket = new TokenBucket(this.#perSecond, this.#burst);
      if (this.#buckets.size >= MAX_USERS) this.#buckets.delete(this.#buckets.keys().next().value!);
    } else {
      this.#buckets.delete(user);
    }
    // Re-inserted: the map's order is the order of last use.
    this.#buckets.set(user, bucket);
    return bucket.take();
  }

  /** Seconds until `user` has a token again (for `Retry-After`). */
  retryAfterS(): number {
    return Math.max(1, Math.ceil(1 / this.#perSecond));
  }
}
