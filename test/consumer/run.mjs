// @ts-check
// The package as a new user gets it: packs the built library (run `npm run build` first;
// `npm test` does), installs the tarball into a fresh app made of this folder's files, builds
// that app with `vite build` and the package's plugin (microcanvas/vite), serves the
// production build with `vite preview` (the plugin's headers: CSP on the host page), and in
// headless Chromium checks that
//   - every Worker script request (Sec-Fetch-Dest: worker) is answered with JavaScript, not
//     with the app's index.html;
//   - the widget, served from another site (127.0.0.1; the app is on localhost), connects;
//   - after unmount, the port its session gave the broker is closed (port-watch.ts);
//   - the host page's CSP refused nothing (Workers, frames, styles all allowed).
// Exits 1 with every failed check listed.
//
//   node test/consumer/run.mjs          check, then delete the temporary app
//   node test/consumer/run.mjs --keep   keep it (its path is printed) to look at dist/
import { execFileSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright';
import { build, preview } from 'vite';

import { CHROMIUM_ARGS, chromiumPath } from '../../scripts/browsers.mjs';
import { cspFailures } from './csp-control.mjs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const HERE = fileURLToPath(new URL('.', import.meta.url));
/** Generous: a loaded 2-core machine can take seconds per frame. */
const WAIT_MS = 20_000;

const started = performance.now();
const work = mkdtempSync(join(tmpdir(), 'microcanvas-app-'));
const app = join(work, 'app');
/** @type {string[]} */
const failures = [];
const log = (/** @type {string} */ line) =>
  console.log(`consumer: ${line} (${((performance.now() - started) / 1000).toFixed(1)} s)`);

/** @param {string} command @param {string[]} args @param {string} cwd */
const run = (command, args, cwd) =>
  execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });

/** @type {import('vite').PreviewServer | undefined} */
let server;
/** @type {import('playwright').Browser | undefined} */
let browser;
try {
  if (!existsSync(join(ROOT, 'dist/lib/shell.js')))
    throw new Error('no dist/: npm run build first');
  // Scripts are not run: `npm test` has just built dist/, and packing must not rebuild it.
  const [{ filename }] = JSON.parse(
    run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], ROOT),
  );
  mkdirSync(app);
  for (const file of readdirSync(HERE).filter((f) => /\.(?:html|ts)$/.test(f))) {
    cpSync(join(HERE, file), join(app, file));
  }
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
  );
  // The runtime dependencies come from npm's cache when it has them (it does after `npm ci`).
  run(
    'npm',
    ['install', join(work, filename), '--prefer-offline', '--no-audit', '--no-fund', '--silent'],
    app,
  );
  log(`installed ${filename}`);

  // The package's Vite plugin, as installed: the widget page becomes an input of the build,
  // and preview serves the host page under its CSP (the broker Worker and the port reaper
  // must run under it) and the widget with CORS.
  /** @type {typeof import('../../vite-plugin/index.ts')} */
  const { microcanvas } = await import(join(app, 'node_modules/microcanvas/dist/vite/index.js'));
  const plugin = () => microcanvas({ widgets: { probe: 'widget.html' } });
  await build({ root: app, configFile: false, logLevel: 'warn', plugins: [plugin()] });
  log('built the app with vite');

  /** @type {Array<{ url: string, status: number, type: string }>} */
  const workerScripts = [];
  server = await preview({
    root: app,
    configFile: false,
    logLevel: 'warn',
    preview: { port: 0 },
    plugins: [
      plugin(),
      {
        name: 'record-worker-scripts',
        configurePreviewServer(preview) {
          preview.middlewares.use((req, res, next) => {
            // The URL as asked for: the SPA fallback rewrites req.url to /index.html.
            const url = req.url ?? '';
            if (req.headers['sec-fetch-dest'] === 'worker') {
              res.on('finish', () => {
                const type = String(res.getHeader('content-type') ?? '');
                workerScripts.push({ url, status: res.statusCode, type });
              });
            }
            next();
          });
        },
      },
    ],
  });
  const address = server.httpServer.address();
  if (address === null || typeof address === 'string') throw new Error('no preview port');

  // MessagePort's `close` event (HTML standard) is behind this flag in Chromium; only
  // port-watch.ts listens to it, to observe the closing, and microcanvas never relies on it.
  const args = [...CHROMIUM_ARGS, '--enable-blink-features=MessagePortCloseEvent'];
  browser = await chromium.launch({ executablePath: chromiumPath(), args });
  const page = await browser.newPage();
  page.on('pageerror', (error) => console.log(`consumer: page error: ${error.message}`));
  /** @type {string[]} */
  const refused = [];
  page.on('console', (message) => {
    if (/Content Security Policy/.test(message.text())) refused.push(message.text());
  });
  const response = await page.goto(`http://localhost:${address.port}/`);
  if (
    !/frame-ancestors 'none'/.test((await response?.headerValue('content-security-policy')) ?? '')
  ) {
    failures.push("the host page was served without the plugin's CSP");
  }

  try {
    await page.waitForFunction(() => window.consumer?.status() === 'connected', null, {
      timeout: WAIT_MS,
    });
    log('the widget connected');
  } catch {
    const status = await page.evaluate(() => window.consumer?.status());
    failures.push(`the widget did not connect (status ${status})`);
  }

  await page.evaluate(() => window.consumer.unmount());
  try {
    await page.waitForFunction(() => window.consumer.widgetPortClosed(), null, {
      timeout: WAIT_MS,
    });
    log('the broker closed the unmounted widget’s port');
  } catch {
    failures.push(`the unmounted widget's port was not closed within ${WAIT_MS} ms`);
  }

  failures.push(...(await cspFailures(page, refused, WAIT_MS)));
  const kinds = workerScripts.map((w) => `${w.url} → ${w.status} ${w.type}`);
  console.log(`consumer: Worker scripts requested:\n  ${kinds.join('\n  ') || '(none)'}`);
  for (const w of workerScripts) {
    if (w.status !== 200 || !/javascript/.test(w.type)) {
      failures.push(`the Worker script ${w.url} was answered with ${w.status} ${w.type}`);
    }
  }
  // The broker's Worker and its port reaper (started by the first closed port).
  if (workerScripts.length < 2) {
    failures.push(`${workerScripts.length} Worker script(s) requested, expected 2`);
  }
} catch (error) {
  failures.push(`could not run: ${error instanceof Error ? error.stack : error}`);
} finally {
  await browser?.close();
  await server?.close();
  if (process.argv.includes('--keep')) console.log(`consumer: kept ${app}`);
  else rmSync(work, { recursive: true, force: true });
}

const seconds = ((performance.now() - started) / 1000).toFixed(1);
if (failures.length > 0) {
  console.error(`consumer: FAILED (${seconds} s)\n  ${failures.join('\n  ')}`);
  process.exitCode = 1;
} else {
  console.log(`consumer: every Worker loaded and the port was closed (${seconds} s)`);
}
