import { defineConfig } from '@playwright/test';

import { CHROMIUM_ARGS, chromiumPath } from './scripts/browsers.mjs';

/** The e2e run's own ports, apart from `npm start`'s 5173 so both can run at once. */
const PORT = Number(process.env.MC_E2E_PORT) || 5180;
const BUILD_PORT = PORT + 1;

/**
 * End-to-end tests of the demo, the host page on `localhost` and the sample apps on
 * `127.0.0.1` (another site), in Debian's Chromium. Twice: on the dev server (`npm start`)
 * and on the production build (`npm run build:demo`, served by `vite preview`), which is
 * bundled and tree-shaken and so can break where the dev server does not.
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
  projects: [
    { name: 'dev', use: { baseURL: `http://localhost:${PORT}` } },
    { name: 'build', use: { baseURL: `http://localhost:${BUILD_PORT}` } },
  ],
  use: {
    browserName: 'chromium',
    viewport: { width: 1280, height: 900 },
    launchOptions: { executablePath: chromiumPath(), args: CHROMIUM_ARGS },
    // Tracing costs CPU on every test; rerun with `--trace on` to debug a failure.
    trace: 'off',
    screenshot: 'only-on-failure',
  },
  // The servers listen on IPv4 loopback; probe them there, not through `localhost`.
  webServer: [
    {
      command: 'node scripts/start.mjs',
      env: { MC_PORT: String(PORT) },
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
  ],
});
