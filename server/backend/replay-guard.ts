/**
 * Remembers the `jti` of every token accepted until that token expires, so that each token is
 * accepted once: what an app backend needs where it promises replay protection (see
 * docs/backends.md, "Identity tokens"). In memory, per process: a backend of several
 * processes implements {@link ReplayGuard} on its shared store (e.g. Redis `SET jti 1 NX
 * PXAT exp`).
 */
export interface ReplayGuard {
  /**
   * Records `jti` until `expiresAt` (ms since the epoch); false when it was recorded already
   * and has not expired (a replay), or when the guard cannot remember more.
   */
  claim(jti: string, expiresAt: number): boolean | Promise<boolean>;
}

/** Options of {@link createReplayGuard}. */
export interface ReplayGuardOptions {
  /**
   * Most token ids remembered at once. When full of unexpired ids, new tokens are refused
   * (fail closed) until some expire. Default 100,000 (a few MiB).
   */
  readonly maxEntries?: number;
  readonly now?: () => number;
}

/** An in-memory {@link ReplayGuard}. */
export function createReplayGuard(options: ReplayGuardOptions = {}): ReplayGuard {
  const max = options.maxEntries ?? 100_000;
  const now = options.now ?? Date.now;
  // Insertion order is close to expiry order (tokens share one lifetime), so the sweep looks
  // at the oldest entries first and stops at the first live one.
  const seen = new Map<string, number>();
  const sweep = (at: number) => {
    for (const [jti, expiresAt] of seen) {
      if (expiresAt > at) break;
      seen.delete(jti);
    }
  };
  return {
    claim(jti, expiresAt) {
      const at = now();
      const known = seen.get(jti);
      if (known !== undefined && known > at) return false;
      sweep(at);
      if (seen.size >= max) {
        // The order is only roughly by expiry: look at everything before refusing.
        for (const [id, exp] of seen) if (exp <= at) seen.delete(id);
        if (seen.size >= max) return false;
      }
      seen.delete(jti);
      seen.set(jti, expiresAt);
      return true;
    },
  };
}
