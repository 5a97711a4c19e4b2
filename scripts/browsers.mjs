// @ts-check
// Where the browsers are, and how to make sure they exist. Shared by the test runner
// config, the e2e config, the benchmark and the demo's screenshot script.
//
// Every engine is Debian's own build (Playwright's browser downloads are not reachable
// here): Chromium, Firefox ESR, and WebKitGTK's MiniBrowser driven by WebKitWebDriver
// under a private Xvfb. See docs/engines.md.
import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Headless flags for Debian's Chromium on a closed network, as root. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** @typedef {'chromium' | 'firefox' | 'webkit'} Engine */

/** Every engine the browser tests can run in, in the order they are reported. */
export const ENGINES = /** @type {const} */ (['chromium', 'firefox', 'webkit']);

/**
 * The engines run when `BROWSERS` is unset: all three, so `npm test` and CI test every
 * engine. A subset is for fast local runs (`BROWSERS=chromium`).
 */
export const DEFAULT_ENGINES = ENGINES;

/**
 * The engines picked by `BROWSERS` (a comma list such as `firefox,webkit`, or `all`;
 * {@link DEFAULT_ENGINES}, all three, when unset or empty). Throws on an unknown name, so that a typo
 * never silently runs fewer.
 * @param {string | undefined} [value]
 * @returns {Engine[]}
 */
export function requestedEngines(value = process.env.BROWSERS) {
  const names = (value ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter(Boolean);
  if (names.length === 0) return [...DEFAULT_ENGINES];
  if (names.length === 1 && names[0] === 'all') return [...ENGINES];
  const unknown = names.filter((name) => !ENGINES.includes(/** @type {Engine} */ (name)));
  if (unknown.length > 0) {
    throw new Error(
      `BROWSERS: unknown engine ${unknown.map((n) => `"${n}"`).join(', ')}; ` +
        `use a comma list of ${ENGINES.join(', ')}`,
    );
  }
  return ENGINES.filter((engine) => names.includes(engine));
}

/** True when `file` exists and may be executed. */
function isExecutable(/** @type {string} */ file) {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The full path of a command found on PATH, or undefined.
 * @param {string} command
 */
export function onPath(command) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && isExecutable(join(dir, command))) return join(dir, command);
  }
  return undefined;
}

/** The Chromium binary: `CHROME_PATH` wins, else Debian's. */
export function chromiumPath() {
  return process.env.CHROME_PATH || '/usr/bin/chromium';
}

/** The Firefox binary: `FIREFOX_PATH` wins, else Debian's ESR. */
export function firefoxPath() {
  return process.env.FIREFOX_PATH || '/usr/bin/firefox-esr';
}

/** Debian's multiarch triplet for this CPU (where libwebkit2gtk installs MiniBrowser). */
const MULTIARCH = /** @type {Record<string, string>} */ ({
  x64: 'x86_64-linux-gnu',
  arm64: 'aarch64-linux-gnu',
  arm: 'arm-linux-gnueabihf',
  ia32: 'i386-linux-gnu',
  ppc64: 'powerpc64le-linux-gnu',
  riscv64: 'riscv64-linux-gnu',
  s390x: 's390x-linux-gnu',
});

/**
 * Where MiniBrowser may live: Debian/Ubuntu put it under the multiarch lib directory,
 * Fedora and Arch under libexec. The GTK3 API 4.1 build comes first: it is what Debian's
 * webkit2gtk-driver pulls in.
 */
function miniBrowserCandidates() {
  const triplet = MULTIARCH[process.arch] ?? `${process.arch}-linux-gnu`;
  const apis = ['webkit2gtk-4.1', 'webkit2gtk-4.0', 'webkitgtk-6.0'];
  return [
    ...apis.map((api) => `/usr/lib/${triplet}/${api}/MiniBrowser`),
    ...apis.map((api) => `/usr/libexec/${api}/MiniBrowser`),
    ...apis.map((api) => `/usr/lib/${api}/MiniBrowser`),
  ];
}

/** The MiniBrowser binary: `MINIBROWSER_PATH` wins, else the first one installed. */
export function miniBrowserPath() {
  if (process.env.MINIBROWSER_PATH) return process.env.MINIBROWSER_PATH;
  const candidates = miniBrowserCandidates();
  return candidates.find(isExecutable) ?? candidates[0];
}

/**
 * @typedef {object} Binary
 * @property {string} name     what to call it in messages
 * @property {string | undefined} path  where it is (or would be); undefined when not on PATH
 * @property {string} [envVar] the variable that overrides the path, when there is one
 * @property {string} pkg      the Debian package that provides it
 */

/**
 * The binaries an engine needs. Xvfb is only needed for WebKit without a DISPLAY: with
 * one, the launcher still prefers its own Xvfb when installed (see webkitgtk-launcher.mjs).
 * @param {Engine} engine
 * @returns {Binary[]}
 */
function binariesFor(engine) {
  switch (engine) {
    case 'chromium':
      return [{ name: 'Chromium', path: chromiumPath(), envVar: 'CHROME_PATH', pkg: 'chromium' }];
    case 'firefox':
      return [
        { name: 'Firefox ESR', path: firefoxPath(), envVar: 'FIREFOX_PATH', pkg: 'firefox-esr' },
      ];
    case 'webkit':
      return [
        { name: 'WebKitWebDriver', path: onPath('WebKitWebDriver'), pkg: 'webkit2gtk-driver' },
        {
          name: 'MiniBrowser',
          path: miniBrowserPath(),
          envVar: 'MINIBROWSER_PATH',
          pkg: 'webkit2gtk-driver',
        },
        ...(process.env.DISPLAY ? [] : [{ name: 'Xvfb', path: onPath('Xvfb'), pkg: 'xvfb' }]),
      ];
  }
}

/** @param {Binary} binary */
const present = (binary) => binary.path !== undefined && existsSync(binary.path);

/**
 * Makes sure the binaries of every requested engine exist (see `requestedEngines`; all
 * three by default). When some are missing and we run as root, installs Debian's
 * packages through apt; otherwise explains what to install or which variable to set.
 * A binary whose path was set through its variable is never "fixed" by installing a
 * package. Returns false when anything is still missing.
 * @param {readonly Engine[]} [engines]
 * @returns {boolean}
 */
export function ensureBrowsers(engines) {
  /** @type {readonly Engine[]} */
  let wanted;
  try {
    wanted = engines ?? requestedEngines();
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    return false;
  }
  const missing = () => wanted.flatMap(binariesFor).filter((binary) => !present(binary));

  let absent = missing();
  if (absent.length === 0) return true;

  const overridden = absent.filter((b) => b.envVar && process.env[b.envVar]);
  for (const binary of overridden) {
    console.error(`${binary.envVar}=${process.env[binary.envVar ?? '']} does not exist.`);
  }
  const installable = absent.filter((b) => !overridden.includes(b));
  if (installable.length > 0 && process.getuid?.() === 0) {
    const packages = [...new Set(installable.map((b) => b.pkg))];
    console.log(
      `Missing ${installable.map((b) => b.name).join(', ')}: installing Debian ` +
        `package${packages.length > 1 ? 's' : ''} ${packages.join(' ')} through apt…`,
    );
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    execFileSync('apt-get', ['update'], { stdio: 'inherit', env });
    execFileSync('apt-get', ['install', '-y', ...packages], { stdio: 'inherit', env });
    absent = missing();
    if (absent.length === 0) return true;
  }

  const stillMissing = absent.filter((b) => !overridden.includes(b));
  if (stillMissing.length > 0) {
    const packages = [...new Set(stillMissing.map((b) => b.pkg))];
    console.error(
      [
        `Missing for BROWSERS=${wanted.join(',')}:`,
        ...stillMissing.map(
          (b) =>
            `  ${b.name} (Debian package ${b.pkg})` +
            (b.path ? ` — looked at ${b.path}` : ' — not on PATH') +
            (b.envVar ? `; or set ${b.envVar}` : ''),
        ),
        `Install: sudo apt-get install ${packages.join(' ')}`,
        'Or run fewer engines, e.g. BROWSERS=chromium npm test (see docs/engines.md).',
      ].join('\n'),
    );
  }
  return false;
}
