// @ts-check
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { defaultReporter } from '@web/test-runner';
import { playwrightLauncher } from '@web/test-runner-playwright';

import { CHROMIUM_ARGS, chromiumPath } from './scripts/browsers.mjs';
import { countsReporter } from './scripts/wtr-summary-reporter.mjs';

/**
 * Unit, element and integration tests in real browsers. Test pages are served on
 * `localhost`; fixture widgets are loaded from `127.0.0.1` on the same port, which is
 * another site, so they run as real cross-site sandboxed frames.
 */
export default {
  files: ['test/unit/**/*.test.ts', 'test/elements/**/*.test.ts', 'test/integration/**/*.test.ts'],
  nodeResolve: { exportConditions: ['production'] },
  hostname: 'localhost',
  concurrency: 2,
  browserStartTimeout: 60000,
  testsStartTimeout: 60000,
  testsFinishTimeout: 180000,
  testFramework: { config: { timeout: 15000 } },
  // countsReporter writes .ci/results/wtr.json for the summary line of `npm test`.
  reporters: [defaultReporter(), countsReporter()],
  plugins: [esbuildPlugin({ ts: true, target: 'es2022', tsconfig: './tsconfig.json' })],
  middleware: [
    // Module scripts in sandboxed (opaque-origin) frames are CORS fetches with `Origin: null`.
    async (ctx, next) => {
      ctx.set('Access-Control-Allow-Origin', '*');
      await next();
    },
  ],
  browsers: [
    playwrightLauncher({
      product: 'chromium',
      launchOptions: { executablePath: chromiumPath(), headless: true, args: CHROMIUM_ARGS },
    }),
  ],
};
