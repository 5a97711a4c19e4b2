import { defineConfig } from '@playwright/test';

import { CHROMIUM_ARGS, chromiumPath } from './scripts/browsers.mjs';

/** The e2e run's own port, apart from `npm start`'s 5173 so both can run at once. */
const PORT = Number(process.env.MC_E2E_PORT) || 5180;

/**
 * End-to-end tests of the demo: the real dev server, the host page on `localhost` and the
 * sample apps on `127.0.0.1` (another site), in Debian's Chromium.
 */
export default defineConfig({
  testDir: 'test/e2e',
  // Generous: the first load compiles modules on demand, and CI machines are shared.
  timeout: 90_000,
  expect: { timeout: 15_000 },
  forbidOnly: true,
  workers: 1,
  reporter: [['list'], ['json', { outputFile: '.ci/results/playwright.json' }]],
  outputDir: 'test-results',
  use: {
    baseURL: `http://localhost:${PORT}`,
    browserName: 'chromium',
    viewport: { width: 1280, height: 900 },
    launchOptions: { executablePath: chromiumPath(), args: CHROMIUM_ARGS },
    // Tracing costs CPU on every test; rerun with `--trace on` to debug a failure.
    trace: 'off',
    screenshot: 'only-on-failure',
  },
  webServer: {
    command: 'node scripts/start.mjs',
    env: { MC_PORT: String(PORT) },
    // The server listens on IPv4 loopback; probe it there, not through `localhost`.
    url: `http://127.0.0.1:${PORT}/`,
    reuseExistingServer: !process.env.CI,
    timeout: 60_000,
    stdout: 'pipe',
  },
});
