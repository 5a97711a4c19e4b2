// @ts-check
// The README's host and widget quick starts, as a new user follows them: packs the built
// library (run `npm run build` first; `npm test` does), and in a new folder does what the
// README's commands do (`npm init -y`, `npm pkg set type=module`, `npm install` of the
// tarball and vite), writes the files of the README's code blocks marked
// `<!-- quickstart: path -->` as they are, runs the installed `vite build` and
// `vite preview`, and in headless Chromium checks that
//   - the widget connects and its greeting reaches the host page; a click in the widget
//     publishes another, which arrives too;
//   - the host page's CSP refuses nothing (and does refuse an injected inline script);
//   - the host page cannot be framed by the widget site, while a widget page can;
// then builds the widget-only project of the block marked `<!-- quickstart-widget: … -->`
// and checks its page's headers in `vite preview`. Exits 1 with every failed check listed.
//
//   node test/quickstart/run.mjs          check, then delete the folders
//   node test/quickstart/run.mjs --keep   keep them (their path is printed)
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright';

import { CHROMIUM_ARGS, chromiumPath } from '../../scripts/browsers.mjs';
import { cspFailures } from '../consumer/csp-control.mjs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** Generous: a loaded 2-core machine can take seconds per frame. */
const WAIT_MS = 20_000;
/** The vite the repository uses, so that npm finds it in its cache. */
const VITE = JSON.parse(readFileSync(join(ROOT, 'node_modules/vite/package.json'), 'utf8')).version;

const started = performance.now();
const work = mkdtempSync(join(tmpdir(), 'microcanvas-quickstart-'));
const host = join(work, 'hello-canvas');
const widgetOnly = join(work, 'hello-widget');
/** @type {string[]} */
const failures = [];
const log = (/** @type {string} */ line) =>
  console.log(`quickstart: ${line} (${((performance.now() - started) / 1000).toFixed(1)} s)`);

/** @param {string} command @param {string[]} args @param {string} cwd */
const run = (command, args, cwd) =>
  execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });

/**
 * The README's marked code blocks: `<!-- <marker>: path -->` then a fenced block.
 * @param {string} marker
 * @returns {Map<string, string>}
 */
function readmeFiles(marker) {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const block = new RegExp(`<!-- ${marker}: (\\S+) -->\\s*\`\`\`\\w*\\n([\\s\\S]*?)\`\`\``, 'g');
  return new Map([...readme.matchAll(block)].map((m) => [m[1] ?? '', m[2] ?? '']));
}

/** @param {string} dir @param {Map<string, string>} files */
function writeFiles(dir, files) {
  for (const [path, text] of files) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
}

/** A free port on IPv4 loopback, below the ephemeral range (see test/server's freePort). */
async function freePort() {
  for (;;) {
    const port = 20000 + Math.floor(Math.random() * 12768);
    const free = await new Promise((resolve) => {
      const probe = createServer();
      probe.once('error', () => resolve(false));
      probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
    });
    if (free) return port;
  }
}

/** @type {import('node:child_process').ChildProcess[]} */
const servers = [];
/**
 * `vite preview` of `dir` on a free port, as a user runs it; resolves once it answers.
 * @param {string} dir
 */
async function previewOf(dir) {
  const port = await freePort();
  const vite = join(dir, 'node_modules/.bin/vite');
  const child = spawn(vite, ['preview', '--port', String(port), '--strictPort'], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  servers.push(child);
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    try {
      await fetch(`http://127.0.0.1:${port}/`);
      return port;
    } catch {
      if (Date.now() > deadline || child.exitCode !== null)
        throw new Error('vite preview did not start');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** @param {number} port @param {string} path @param {string} dest */
async function headersOf(port, path, dest) {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, {
    headers: { 'Sec-Fetch-Dest': dest },
  });
  await response.arrayBuffer();
  return response.headers;
}

/** @type {import('playwright').Browser | undefined} */
let browser;
try {
  if (!existsSync(join(ROOT, 'dist/vite/index.js')))
    throw new Error('no dist/: npm run build first');
  const hostFiles = readmeFiles('quickstart');
  const widgetFiles = readmeFiles('quickstart-widget');
  for (const file of ['vite.config.js', 'index.html', 'hello/index.html', 'hello/main.js']) {
    if (!hostFiles.has(file)) throw new Error(`README.md has no block marked quickstart: ${file}`);
  }
  if (!widgetFiles.has('vite.config.js'))
    throw new Error('README.md has no block marked quickstart-widget: vite.config.js');

  const [{ filename }] = JSON.parse(
    run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], ROOT),
  );
  // The README's commands, with the tarball for `microcanvas` and the repository's vite.
  mkdirSync(host);
  run('npm', ['init', '-y'], host);
  run('npm', ['pkg', 'set', 'type=module'], host);
  run(
    'npm',
    [
      'install',
      join(work, filename),
      `vite@${VITE}`,
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      '--silent',
    ],
    host,
  );
  log(`installed ${filename} and vite ${VITE}`);
  writeFiles(host, hostFiles);
  run(join(host, 'node_modules/.bin/vite'), ['build', '--logLevel', 'error'], host);
  for (const page of ['dist/index.html', 'dist/hello/index.html']) {
    if (!existsSync(join(host, page))) failures.push(`vite build wrote no ${page}`);
  }
  log('built the host quick start with vite');

  const port = await previewOf(host);
  browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS });
  const page = await browser.newPage();
  /** @type {string[]} */
  const refused = [];
  page.on('console', (message) => {
    if (/Content Security Policy/.test(message.text())) refused.push(message.text());
  });
  page.on('pageerror', (error) => console.log(`quickstart: page error: ${error.message}`));
  const response = await page.goto(`http://localhost:${port}/`);
  const csp = (await response?.headerValue('content-security-policy')) ?? '';
  if (!csp.includes("frame-ancestors 'none'")) failures.push(`the host page's CSP: ${csp}`);

  const logText = page.locator('#log');
  const widget = page.frameLocator('mc-canvas >> mc-frame[app="hello"] >> iframe');
  try {
    await widget
      .locator('#status')
      .filter({ hasText: 'connected as hello' })
      .waitFor({ timeout: WAIT_MS });
    await page.waitForFunction(
      () => document.querySelector('#log')?.textContent?.includes('hello: hello, host'),
      null,
      { timeout: WAIT_MS },
    );
    log('the widget connected and its greeting reached the host');
    await widget.locator('#wave').click();
    await page.waitForFunction(
      () => document.querySelector('#log')?.textContent?.includes('hello: a wave'),
      null,
      { timeout: WAIT_MS },
    );
    log('a click in the widget reached the host');
  } catch (error) {
    const text = await logText.textContent().catch(() => null);
    failures.push(
      `the quick start's widget did not talk to its host (log: ${JSON.stringify(text)}): ${error instanceof Error ? error.message.split('\n')[0] : error}`,
    );
  }
  failures.push(...(await cspFailures(page, refused, WAIT_MS)));

  // frame-ancestors: from the widget site, the host page cannot be framed; a widget page
  // (its frame-ancestors name the host site, here the other loopback name) can.
  const embedder = await browser.newPage();
  await embedder.goto(`http://127.0.0.1:${port}/hello/`);
  await embedder.evaluate(async (origin) => {
    const load = (/** @type {string} */ src) =>
      new Promise((resolve) => {
        const frame = document.createElement('iframe');
        frame.src = src;
        frame.onload = resolve;
        document.body.append(frame);
      });
    await Promise.all([load(`${origin}/`), load(`${origin}/hello/index.html`)]);
  }, `http://localhost:${port}`);
  const framed = await Promise.all(
    embedder
      .frames()
      .slice(1)
      .map((frame) =>
        frame
          .evaluate(() => ({
            canvas: !!document.querySelector('mc-canvas'),
            widget: !!document.querySelector('#wave'),
          }))
          .catch(() => ({ canvas: false, widget: false })),
      ),
  );
  if (framed.some((f) => f.canvas)) failures.push('the host page was framed by another site');
  if (!framed.some((f) => f.widget))
    failures.push(
      'the control failed: the widget page could not be framed by the host site either',
    );
  log('the host page refuses to be framed; a widget page is framed');

  // The widget in a project of its own (the README's role: 'widget' config).
  mkdirSync(widgetOnly);
  symlinkSync(join(host, 'node_modules'), join(widgetOnly, 'node_modules'), 'dir');
  writeFileSync(join(widgetOnly, 'package.json'), JSON.stringify({ type: 'module' }));
  writeFiles(widgetOnly, new Map([...hostFiles].filter(([path]) => path.startsWith('hello/'))));
  writeFiles(widgetOnly, widgetFiles);
  run(join(widgetOnly, 'node_modules/.bin/vite'), ['build', '--logLevel', 'error'], widgetOnly);
  if (!existsSync(join(widgetOnly, 'dist/hello/index.html')))
    failures.push('the widget project built no dist/hello/index.html');
  const widgetPort = await previewOf(widgetOnly);
  for (const path of ['/hello/index.html', '/hello/']) {
    const headers = await headersOf(widgetPort, path, 'iframe');
    if (
      headers.get('access-control-allow-origin') !== '*' ||
      headers.get('cross-origin-resource-policy') !== 'cross-origin'
    ) {
      failures.push(`the widget project's ${path} lacks CORS or CORP`);
    }
  }
  log('built and previewed the widget-only project');
} catch (error) {
  failures.push(`could not run: ${error instanceof Error ? error.stack : error}`);
} finally {
  await browser?.close();
  for (const server of servers) server.kill('SIGTERM');
  if (process.argv.includes('--keep')) console.log(`quickstart: kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}

const seconds = ((performance.now() - started) / 1000).toFixed(1);
if (failures.length > 0) {
  console.error(`quickstart: FAILED (${seconds} s)\n  ${failures.join('\n  ')}`);
  process.exitCode = 1;
} else {
  console.log(
    `quickstart: the README's host and widget quick starts work as written (${seconds} s)`,
  );
}
