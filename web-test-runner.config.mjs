// @ts-check
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { defaultReporter } from '@web/test-runner';
import { playwrightLauncher } from '@web/test-runner-playwright';

import { CHROMIUM_ARGS, chromiumPath, requestedEngines } from './scripts/browsers.mjs';
import { firefoxLauncher } from './scripts/firefox-launcher.mjs';
import { webkitGtkLauncher } from './scripts/webkitgtk-launcher.mjs';
import { bundledFixtures, bundledTests } from './scripts/wtr-bundles.mjs';
import { crashPlugin } from './scripts/wtr-crash-plugin.mjs';
import { historyPlugin } from './scripts/wtr-history-plugin.mjs';
import { serverPlugin } from './scripts/wtr-server-plugin.mjs';
import { countsReporter } from './scripts/wtr-summary-reporter.mjs';

/**
 * One launcher per engine, all on Debian's own browsers (docs/engines.md). Binaries can be
 * overridden with CHROME_PATH, FIREFOX_PATH and MINIBROWSER_PATH.
 * @type {Record<import('./scripts/browsers.mjs').Engine, () => import('@web/test-runner').BrowserLauncher>}
 */
const launchers = {
  chromium: () =>
    playwrightLauncher({
      product: 'chromium',
      launchOptions: {
        executablePath: chromiumPath(),
        headless: true,
        // gc() and unquantized performance.memory for the soak test's heap check.
        args: [...CHROMIUM_ARGS, '--js-flags=--expose-gc', '--enable-precise-memory-info'],
      },
    }),
  // Firefox ESR over WebDriver BiDi through puppeteer-core (no geckodriver, no download),
  // with Firefox's own site isolation kept on (puppeteer turns it off).
  // Concurrency 1: on two cores a second Firefox page made the suite no faster (307 s
  // against 293 s) and starved the hostile suite's widgets into timeouts. docs/engines.md.
  firefox: () => firefoxLauncher({ concurrency: 1 }),
  // MiniBrowser via WebKitWebDriver on a private Xvfb; forces concurrency 1 for itself so
  // every test page is top-level.
  webkit: () => webkitGtkLauncher(),
};

/** Where the browser tests are; the sample apps' are tested with microcanvas/testing. */
const TEST_DIRS = ['test/unit', 'test/elements', 'test/integration', 'test/apps', 'test/testing'];

/**
 * Unit, element and integration tests in real browsers. Test pages are served on
 * `localhost`; fixture widgets are loaded from `127.0.0.1` on the same port, which is
 * another site, so they run as real cross-site sandboxed frames.
 */
export default {
  // The soak first: it is the longest file by far, and started last it ran alone while the
  // other concurrent slot sat idle.
  files: ['test/integration/soak.test.ts', ...TEST_DIRS.map((dir) => `${dir}/**/*.test.ts`)],
  nodeResolve: { exportConditions: ['production'] },
  hostname: 'localhost',
  // npm test gives each engine a free port of its own (two engines run at once); otherwise
  // the runner takes the first free one from 8000.
  ...(process.env.MC_WTR_PORT ? { port: Number(process.env.MC_WTR_PORT) } : {}),
  concurrency: 2,
  browserStartTimeout: 60000,
  testsStartTimeout: 60000,
  testsFinishTimeout: 600000,
  testFramework: { config: { timeout: 60000 } },
  // countsReporter writes .ci/results/wtr.json (or MC_WTR_RESULTS: npm test gives each engine
  // its own, as two engines run at once) for the summary line of `npm test`.
  reporters: [defaultReporter(), countsReporter({ file: process.env.MC_WTR_RESULTS })],
  plugins: [
    esbuildPlugin({ ts: true, target: 'es2022', tsconfig: './tsconfig.json' }),
    // Real renderer crashes of a widget frame, for test/integration/crash.test.ts.
    crashPlugin(),
    // The browser's own Back button, for the history pollution test (issue 14).
    historyPlugin(),
    // A real microcanvas server, started by the first test that asks (`mc-server`).
    serverPlugin(),
  ],
  middleware: [
    // `/no-cors/<path>` serves `<path>` without `Access-Control-Allow-Origin`, as a widget's
    // server that forgot it does: its module scripts are then blocked in a sandboxed frame
    // (test/integration/hello-diagnostics.test.ts).
    async (ctx, next) => {
      if (!ctx.path.startsWith('/no-cors/')) return next();
      ctx.url = ctx.url.slice('/no-cors'.length);
      ctx.state.noCors = true;
      await next();
      ctx.remove('Access-Control-Allow-Origin');
    },
    // `/test/fixtures/bundled/<name>.html`: a fixture as one script, for the soak's mounts.
    bundledFixtures(),
    // Each test file as one script and shared chunks, all built at once: ~200 modules per
    // test page otherwise.
    bundledTests({ dirs: TEST_DIRS }),
    // Module scripts in sandboxed (opaque-origin) frames are CORS fetches with `Origin: null`.
    async (ctx, next) => {
      if (!ctx.state.noCors) ctx.set('Access-Control-Allow-Origin', '*');
      await next();
    },
  ],
  // BROWSERS=chromium,firefox,webkit (default: all three) picks the engines; docs/engines.md.
  browsers: requestedEngines().map((engine) => launchers[engine]()),
};
