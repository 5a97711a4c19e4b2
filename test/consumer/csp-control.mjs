// @ts-check
// The CSP checks both packed-package tests (consumer app, README quick starts) make of a
// host page served by the Vite plugin: nothing was refused, and the control — an inline
// script added now is refused, and that refusal is seen — so that "nothing refused" cannot
// pass because refusals went unseen.

/**
 * @param {import('playwright').Page} page
 * @param {string[]} refused the CSP refusals the page's console showed so far (kept growing)
 * @param {number} waitMs
 * @returns {Promise<string[]>} failures, empty when both hold
 */
export async function cspFailures(page, refused, waitMs) {
  /** @type {string[]} */
  const failures = [];
  if (refused.length > 0)
    failures.push(`the CSP refused something:\n    ${refused.join('\n    ')}`);
  const seen = refused.length;
  const refusal = page.waitForEvent('console', {
    predicate: (message) => /Content Security Policy/.test(message.text()),
    timeout: waitMs,
  });
  const ran = await page.evaluate(() => {
    const script = document.createElement('script');
    script.textContent = 'window.inlineRan = true';
    document.head.append(script);
    return 'inlineRan' in window;
  });
  await refusal.catch(() => undefined);
  if (ran || refused.length === seen)
    failures.push('the control failed: an inline script ran, or its refusal was not seen');
  return failures;
}
