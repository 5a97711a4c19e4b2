// @ts-check
// A @web/test-runner launcher for WebKitGTK: Debian's MiniBrowser driven by WebKitWebDriver,
// on a private Xvfb display. Playwright's `webkit` needs Playwright's patched WebKit build
// (it passes --inspector-pipe, which MiniBrowser rejects), so WebDriver is the only route to
// the WebKit Debian ships. See docs/engines.md and /work/shared/CROSS-BROWSER.md.
import { spawn } from 'node:child_process';
import net from 'node:net';

import { WebdriverLauncher } from '@web/test-runner-webdriver';

import { miniBrowserPath, onPath } from './browsers.mjs';

/** @typedef {import('node:child_process').ChildProcess} ChildProcess */

/** A TCP port that was free a moment ago, for WebKitWebDriver to listen on. */
function freePort() {
  return /** @type {Promise<number>} */ (
    new Promise((resolve, reject) => {
      const server = net.createServer();
      server.unref();
      server.on('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        const port = typeof address === 'object' && address ? address.port : 0;
        server.close(() => resolve(port));
      });
    })
  );
}

/**
 * Polls `url` until it answers 2xx; throws after `timeoutMs`, or at once when `proc` exits.
 * @param {string} url
 * @param {number} timeoutMs
 * @param {ChildProcess} proc
 */
async function waitForHttp(url, timeoutMs, proc) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`WebKitWebDriver exited (${proc.exitCode})`);
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${url}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Starts Xvfb on a display it picks itself (`-displayfd` writes the number to fd 3), so
 * that parallel runs never fight over `:99`.
 * @returns {Promise<{ proc: ChildProcess, display: string }>}
 */
function startXvfb() {
  return new Promise((resolve, reject) => {
    const proc = spawn(
      'Xvfb',
      ['-displayfd', '3', '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'],
      {
        stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
      },
    );
    let buffer = '';
    proc.on('error', reject);
    proc.on('exit', (code) => reject(new Error(`Xvfb exited early (${code})`)));
    proc.stdio[3]?.on('data', (chunk) => {
      buffer += chunk;
      if (buffer.includes('\n')) resolve({ proc, display: `:${buffer.trim()}` });
    });
  });
}

/**
 * @typedef {object} WebKitGtkOptions
 * @property {string} [binary]  MiniBrowser; defaults to `miniBrowserPath()` (MINIBROWSER_PATH)
 * @property {string[]} [args]  extra MiniBrowser arguments
 * @property {boolean} [useDisplay]  use the caller's DISPLAY (a visible window) instead of a
 *   private Xvfb; also the fallback when Xvfb is not installed
 * @property {Record<string, unknown>} [capabilities]  merged over the defaults
 */

/** WebKitGTK through WebKitWebDriver + MiniBrowser, always one top-level window per test file. */
export class WebKitGtkLauncher extends WebdriverLauncher {
  /** @param {WebKitGtkOptions} [options] */
  constructor({
    binary = miniBrowserPath(),
    args = [],
    useDisplay = false,
    capabilities = {},
  } = {}) {
    super({
      // hostname/port/path make webdriverio talk to our driver instead of fetching one.
      hostname: '127.0.0.1',
      port: 0,
      path: '/',
      logLevel: 'warn',
      // A page frozen by a busy cross-site frame (WebKitGTK runs frames in the page's
      // process) never answers; fail such a command after 60 s instead of 3 x 120 s.
      connectionRetryTimeout: 60000,
      connectionRetryCount: 0,
      capabilities: /** @type {any} */ ({
        browserName: 'MiniBrowser',
        'webkitgtk:browserOptions': { binary, args: ['--automation', ...args] },
        // WebKitWebDriver 2.50 rejects webdriverio 9's default `webSocketUrl: true` (BiDi).
        'wdio:enforceWebDriverClassic': true,
        ...capabilities,
      }),
    });
    this.useDisplay = useDisplay;
    /** @type {ChildProcess | undefined} */
    this.driverProc = undefined;
    /** @type {{ proc: ChildProcess, display: string } | undefined} */
    this.xvfb = undefined;
    // With concurrency > 1 the webdriver launcher loads every test file into an iframe of
    // one page (IFrameManager): window.top !== window, which breaks an iframe host's tests.
    // Forcing 1 picks SessionManager: each test file is the top-level page.
    this.concurrency = 1;
  }

  /**
   * @param {import('@web/test-runner-core').TestRunnerCoreConfig} config
   */
  async initialize(config) {
    const env = { ...process.env };
    // A private Xvfb unless asked otherwise: MiniBrowser (GTK3) has no headless mode, and
    // a window on the developer's desktop would take focus and change focus behaviour.
    if (!(this.useDisplay && env.DISPLAY) && (onPath('Xvfb') || !env.DISPLAY)) {
      this.xvfb = await startXvfb();
      env.DISPLAY = this.xvfb.display;
    }
    // If the runner dies without stop() (a signal, a crash), do not leave the X server and
    // the driver behind.
    process.once('exit', this.#killChildren);
    const port = await freePort();
    // WebKitWebDriver starts MiniBrowser with its own environment: DISPLAY must be in it,
    // or POST /session hangs for ever.
    this.driverProc = spawn('WebKitWebDriver', [`--port=${port}`], {
      env,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    await waitForHttp(`http://127.0.0.1:${port}/status`, 15000, this.driverProc);
    /** @type {any} */ (this).options.port = port;
    return super.initialize({ ...config, concurrency: 1 });
  }

  async stop() {
    try {
      await super.stop();
    } finally {
      process.off('exit', this.#killChildren);
      this.#killChildren();
    }
  }

  #killChildren = () => {
    this.driverProc?.kill();
    this.driverProc = undefined;
    this.xvfb?.proc.removeAllListeners('exit');
    this.xvfb?.proc.kill();
    this.xvfb = undefined;
  };
}

/**
 * The WebKitGTK launcher for `browsers` in web-test-runner.config.mjs.
 * @param {WebKitGtkOptions} [options]
 */
export const webkitGtkLauncher = (options) => new WebKitGtkLauncher(options);
