/** First reconnect delay, before jitter. */
export const RECONNECT_BASE_MS = 500;
/** Longest reconnect delay, before jitter. */
export const RECONNECT_MAX_MS = 30_000;

/**
 * The delay before reconnect attempt `attempt` (0 for the first): exponential from `baseMs`,
 * capped at `maxMs`, then spread over its upper half at random ("equal jitter"), so that the
 * devices a server restart dropped together do not all come back in the same instant, and
 * none waits less than half its step.
 */
export function backoffDelay(
  attempt: number,
  baseMs = RECONNECT_BASE_MS,
  maxMs = RECONNECT_MAX_MS,
  random: () => number = Math.random,
): number {
  const step = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(step / 2 + (step / 2) * random());
}
