import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { defineConfig, type Project } from '@playwright/test';

import { CHROMIUM_ARGS, chromiumPath, firefoxPath } from './scripts/browsers.mjs';

/** The e2e run's own ports, apart from `npm start`'s 5173 so both can run at once. */
const PORT = Number(process.env.MC_E2E_PORT) || 5180;
const BUILD_PORT = PORT + 1;
/** The demo with a microcanvas server beside it (`npm start` as it is), for devices.spec.ts. */
const DEVICES_PORT = PORT + 2;

/** The servers the demo is tested on. */
const SERVERS = { dev: PORT, build: BUILD_PORT, devices: DEVICES_PORT } as const;

/** Which tests run on which server. */
const TESTS: Record<keyof typeof SERVERS, Pick<Project, 'testMatch' | 'testIgnore'>> = {
  // On the dev server, the demo's own flows only: what it adds (modules compiled on demand,
  // no bundling) shows there or nowhere; editing and services run on the build.
  dev: { testMatch: 'demo.spec.ts' },
  build: { testIgnore: 'devices.spec.ts' },
  // Sync across devices needs the microcanvas server, which `npm start` runs beside Vite.
  devices: { testMatch: 'devices.spec.ts' },
};

/**
 * The engines, both Debian's own builds (Playwright's browser downloads are not reachable).
 * Firefox ESR is driven over WebDriver BiDi through Playwright's `moz-firefox` channel: the
 * tests stay one Playwright suite (same locators, frame piercing, auto-waiting) and need no
 * geckodriver. That channel only works while the client is not newer than the browser
 * (1.65 sends a BiDi command ESR 153 lacks), which is why package.json pins playwright
 * and @playwright/test exactly. docs/engines.md.
 */
const ENGINES: Record<'chromium' | 'firefox', NonNullable<Project['use']>> = {
  chromium: {
    browserName: 'chromium',
    launchOptions: { executablePath: chromiumPath(), args: CHROMIUM_ARGS },
  },
  firefox: {
    browserName: 'firefox',
    channel: 'moz-firefox',
    launchOptions: {
      executablePath: firefoxPath(),
      // One content process for all sites, as puppeteer does too: BiDi dispatches mouse
      // input from the top-level page, and in ESR 153 it does not reach out-of-process
      // (cross-site) frames (bugzilla 1773393), so every click into a widget was lost. The
      // e2e tests check the demo's flows; isolation is tested in the wtr suite, where
      // Firefox keeps Fission (scripts/firefox-launcher.mjs).
      firefoxUserPrefs: { 'fission.webContentIsolationStrategy': 0 },
    },
  },
};

/**
 * End-to-end tests of the demo, the host page on `localhost` and the sample apps on
 * `127.0.0.1` (another site): in Chromium on the dev server (`npm start`) and on the
 * production build (`npm run build:demo`, served by `vite preview`), which is bundled and
 * tree-shaken and so can break where the dev server does not; in Firefox ESR on the build.
 * Projects are `<engine>-<server>`: `npx playwright test --project 'firefox-*'`.
 */
export default defineConfig({
  testDir: 'test/e2e',
  // Generous: the first load compiles modules on demand, and CI machines are shared.
  timeout: 90_000,
  expect: { timeout: 15_000 },
  forbidOnly: true,
  // One more try of a failed test under CI, reported as flaky by name; a test that fails
  // twice fails the run. npm test's browser tests do the same per file (scripts/test.mjs).
  retries: process.env.CI ? 1 : 0,
  workers: 1,
  reporter: [['list'], ['json', { outputFile: '.ci/results/playwright.json' }]],
  outputDir: 'test-results',
  projects: Object.entries(ENGINES).flatMap(([engine, use]) =>
    Object.entries(SERVERS)
      // Firefox on the production build only: what the dev server adds (modules compiled on
      // demand) is the same for every engine, and a second Firefox pass cost ~5 minutes.
      .filter(([server]) => engine === 'chromium' || server === 'build')
      .map(([server, port]) => ({
        name: `${engine}-${server}`,
        ...TESTS[server as keyof typeof SERVERS],
        use: {
          ...use,
          viewport: { width: 1280, height: 900 },
          baseURL: `http://localhost:${port}`,
        },
      })),
  ),
  use: {
    // Tracing costs CPU on every test; rerun with `--trace on` to debug a failure.
    trace: 'off',
    screenshot: 'only-on-failure',
  },
  // The servers listen on IPv4 loopback; probe them there, not through `localhost`.
  webServer: [
    {
      command: 'node scripts/start.mjs',
      // Without the microcanvas server: these tests cover the demo saved in the browser.
      env: { MC_PORT: String(PORT), MC_SERVER: 'off' },
      url: `http://127.0.0.1:${PORT}/`,
      reuseExistingServer: !process.env.CI,
      timeout: 60_000,
    },
    {
      command: 'npx vite build --logLevel warn && npx vite preview',
      env: { MC_PORT: String(BUILD_PORT) },
      url: `http://127.0.0.1:${BUILD_PORT}/`,
      reuseExistingServer: !process.env.CI,
      timeout: 120_000,
    },
    {
      command: 'node scripts/start.mjs',
      // The server on a free port, with a fresh data file per run.
      env: {
        MC_PORT: String(DEVICES_PORT),
        MC_SERVER_DATA: join(tmpdir(), `microcanvas-e2e-${process.pid}`, 'server.db'),
        MC_TODO_DATA: join(tmpdir(), `microcanvas-e2e-${process.pid}`, 'todo-backend.json'),
      },
      url: `http://127.0.0.1:${DEVICES_PORT}/`,
      reuseExistingServer: !process.env.CI,
      timeout: 60_000,
    },
  ],
});
