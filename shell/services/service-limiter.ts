import { McError } from '../../sdk/protocol/index.ts';
import { TokenBucket } from '../shared/token-bucket.ts';

/** Sustained calls per second and burst, per app and service. */
export const SERVICE_RATES = {
  // The SDK's autoResize sends at most one request per animation frame, and only on change.
  resize: { perSecond: 30, burst: 60 },
  // A person reads a toast in seconds: three at once, then one every two seconds.
  notify: { perSecond: 0.5, burst: 3 },
  // One dialog at a time anyway; this stops a widget re-opening one the moment it closes.
  modal: { perSecond: 0.2, burst: 3 },
  storage: { perSecond: 50, burst: 200 },
  shortcuts: { perSecond: 10, burst: 20 },
  // The host caches a token per slot until 10 s before it expires: a widget needs about one
  // a minute; this bounds the requests a widget can make the host send to its server.
  identity: { perSecond: 1, burst: 10 },
} as const;

/** The rate-limited service kinds. */
export type LimitedService = keyof typeof SERVICE_RATES;

/**
 * Per-app token buckets for host services. Keyed by app id (a `Map`: ids come from
 * manifests, but nothing keyed by a string should meet a prototype), so that two mounts of
 * one app share one allowance and a widget cannot reset its budget by reloading.
 */
export class ServiceLimiter {
  readonly #buckets = new Map<string, TokenBucket>();
  readonly #now: () => number;

  constructor(now: () => number = () => performance.now()) {
    this.#now = now;
  }

  /** Takes one call's token or throws `RATE_LIMITED`. */
  take(appId: string, service: LimitedService): void {
    const key = `${service}\n${appId}`;
    let bucket = this.#buckets.get(key);
    if (!bucket) {
      const { perSecond, burst } = SERVICE_RATES[service];
      bucket = new TokenBucket(perSecond, burst, this.#now);
      this.#buckets.set(key, bucket);
    }
    if (!bucket.take()) throw new McError('RATE_LIMITED', `too many ${service} calls`);
  }
}
