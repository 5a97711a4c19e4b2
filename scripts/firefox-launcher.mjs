// @ts-check
// A @web/test-runner launcher for Firefox ESR: puppeteer-core over WebDriver BiDi, through
// @web/test-runner-chrome's chromeLauncher (no geckodriver, nothing downloaded).
//
// One correction to puppeteer's profile: puppeteer writes
// `fission.webContentIsolationStrategy = 0` into every Firefox profile it creates, which puts
// all web content, cross-site frames included, into ONE content process (a workaround for its
// mouse-input dispatch, which our tests do not use). Firefox as shipped isolates sites
// (Fission), so a busy-looping cross-site widget cannot freeze the host page. With puppeteer's
// value it can, and the suite would test a Firefox nobody runs. We drop that one preference,
// so Firefox's own default applies.
//
// And one correction to how pages are opened: in windows, not tabs (see createPage below).
// See docs/engines.md.
import { chromeLauncher } from '@web/test-runner-chrome';
import puppeteerCore from 'puppeteer-core';
import { FirefoxLauncher } from 'puppeteer-core/internal/node/FirefoxLauncher.js';

import { firefoxPath } from './browsers.mjs';

const ISOLATION_PREF = 'fission.webContentIsolationStrategy';
const PATCHED = Symbol.for('microcanvas.firefoxPrefsPatched');

/**
 * Makes puppeteer keep Firefox's own site isolation, unless the caller sets the preference
 * explicitly through `extraPrefsFirefox`. Idempotent.
 */
function keepFissionDefault() {
  const launcher = /** @type {any} */ (FirefoxLauncher);
  if (launcher[PATCHED]) return;
  if (typeof launcher.getPreferences !== 'function') {
    // A puppeteer-core whose internals moved: say so instead of silently testing without
    // site isolation (the RES-5 busy-loop test would hang the host page).
    console.warn(`puppeteer-core changed: cannot restore Firefox's ${ISOLATION_PREF}`);
    return;
  }
  const original = launcher.getPreferences.bind(launcher);
  launcher.getPreferences = (/** @type {Record<string, unknown>} */ extra = {}) => {
    const prefs = original(extra);
    if (ISOLATION_PREF in extra) prefs[ISOLATION_PREF] = extra[ISOLATION_PREF];
    else delete prefs[ISOLATION_PREF];
    return prefs;
  };
  launcher[PATCHED] = true;
}

/**
 * Firefox ESR (FIREFOX_PATH, else /usr/bin/firefox-esr), headless, with site isolation on.
 * @param {{ concurrency?: number, extraPrefsFirefox?: Record<string, unknown> }} [options]
 */
export function firefoxLauncher({ concurrency, extraPrefsFirefox = {} } = {}) {
  keepFissionDefault();
  return chromeLauncher({
    puppeteer: /** @type {any} */ (puppeteerCore),
    concurrency,
    // Each test page in a window of its own, not a tab: with concurrency > 1, every tab but
    // the selected one is a background tab (visibilityState 'hidden'), where Firefox
    // throttles timers and the shell's heartbeat pauses by design, so liveness tests never
    // get a verdict and frame loads crawl.
    createPage: ({ context }) => /** @type {any} */ (context).newPage({ type: 'window' }),
    launchOptions: {
      browser: 'firefox',
      executablePath: firefoxPath(),
      headless: true,
      extraPrefsFirefox,
    },
  });
}
