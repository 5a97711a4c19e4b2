/**
 * Resolves once `check` holds, polled every animation frame; rejects after `ms` with
 * `what` (a function is called only then, to describe the state at the deadline).
 */
export async function until(
  check: () => boolean,
  what: string | (() => string),
  ms = 10_000,
): Promise<void> {
  const end = performance.now() + ms;
  while (!check()) {
    if (performance.now() > end) {
      const message = `not within ${ms} ms: ${typeof what === 'string' ? what : what()}`;
      // Printed too: a failure that a mocha retry makes good is not reported by the runner.
      console.warn(`[until] ${message}`);
      throw new Error(message);
    }
    await new Promise((resolve) => requestAnimationFrame(resolve));
  }
}
