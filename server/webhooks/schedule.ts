/**
 * The Standard Webhooks retry schedule: the wait before each attempt (the first at once),
 * eight attempts over about 28 hours. `webhookSchedule` replaces it.
 */
export const DEFAULT_WEBHOOK_SCHEDULE_MS: readonly number[] = [
  0,
  5_000,
  5 * 60_000,
  30 * 60_000,
  2 * 3_600_000,
  5 * 3_600_000,
  10 * 3_600_000,
  10 * 3_600_000,
];

/** Each wait is spread by up to ±10 %, so that endpoints failing together retry apart. */
export const JITTER = 0.1;

/**
 * The wait before attempt number `attempts + 1`, when `attempts` were made; undefined when
 * the schedule is exhausted. `random` in [0, 1).
 */
export function retryDelay(
  schedule: readonly number[],
  attempts: number,
  random: number = Math.random(),
): number | undefined {
  const base = schedule[attempts];
  if (base === undefined) return undefined;
  return Math.round(base * (1 - JITTER + 2 * JITTER * random));
}

/**
 * A `Retry-After` header (seconds, or an HTTP date) as milliseconds from `now`, at most
 * `capMs`; undefined when absent or unreadable.
 */
export function parseRetryAfter(
  value: string | undefined,
  now: number,
  capMs: number,
): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  let ms: number;
  if (/^\d+$/.test(text)) ms = Number(text) * 1000;
  else {
    const at = Date.parse(text);
    if (Number.isNaN(at)) return undefined;
    ms = at - now;
  }
  return Math.min(Math.max(0, ms), capMs);
}
