import assert from 'node:assert/strict';

/** Resolves once `check` holds, checking after each macrotask (fails after 500 turns). */
export async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (check()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  assert.fail(`never: ${what}`);
}
