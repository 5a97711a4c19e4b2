import assert from 'node:assert/strict';

/**
 * Resolves once `check` holds, checking after each macrotask, for up to `ms` (the links'
 * timers and backoff run meanwhile; a loaded machine may need the time).
 */
export async function until(check: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (check()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  if (check()) return;
  assert.fail(`never: ${what}`);
}
