/**
 * A bounded map whose entries expire: the gateway's memory of identity tokens it already
 * verified and of assertions it already signed, so that a widget's repeated calls do not pay
 * an ES256 verification and signature each (≈ 0.3 and 0.4 ms on the reference machine,
 * several times a loopback request's own cost). Full: the oldest entry goes first.
 */
export class ExpiringCache<V> {
  readonly #max: number;
  readonly #entries = new Map<string, { value: V; until: number }>();

  constructor(maxEntries: number) {
    this.#max = maxEntries;
  }

  get(key: string, now: number = Date.now()): V | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.until <= now) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  /** Keeps `value` until `until` (ms since the epoch). */
  set(key: string, value: V, until: number): void {
    if (this.#max <= 0) return;
    this.#entries.delete(key);
    if (this.#entries.size >= this.#max) {
      this.#entries.delete(this.#entries.keys().next().value!);
    }
    this.#entries.set(key, { value, until });
  }
}
