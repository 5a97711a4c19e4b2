// Where the browsers are, and how to make sure they exist. Shared by the test runner
// config, the e2e config, the benchmark and the demo's screenshot script.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

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

/** The Chromium binary: `CHROME_PATH` wins, else Debian's. */
export function chromiumPath() {
  return process.env.CHROME_PATH || '/usr/bin/chromium';
}

/**
 * Makes sure Chromium exists: installs Debian's package through apt when run as root,
 * otherwise explains what to install or which variable to set. Returns false when missing.
 */
export function ensureBrowsers() {
  if (existsSync(chromiumPath())) return true;
  if (process.env.CHROME_PATH) {
    console.error(`CHROME_PATH=${process.env.CHROME_PATH} does not exist.`);
    return false;
  }
  if (process.getuid?.() === 0) {
    console.log('Chromium is missing: installing Debian package "chromium" through apt…');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    execFileSync('apt-get', ['update'], { stdio: 'inherit', env });
    execFileSync('apt-get', ['install', '-y', 'chromium'], { stdio: 'inherit', env });
    return existsSync(chromiumPath());
  }
  console.error(
    [
      'Chromium was not found at /usr/bin/chromium.',
      'Install it (Debian/Ubuntu: `sudo apt-get install chromium`), or point CHROME_PATH',
      'at another Chromium or Chrome binary, e.g. CHROME_PATH=/usr/bin/google-chrome npm test',
    ].join('\n'),
  );
  return false;
}
