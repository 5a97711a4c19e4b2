// @ts-check
// A real microcanvas server for browser tests that need one (test/integration/identity.test.ts):
// the `mc-server` command starts test/fixtures/server/identity-server.ts with tsx on first
// use (runs that do not ask start nothing), with the test pages' origin as its host origin,
// and answers `{url, token}` to every later ask; the server stops with the runner.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SCRIPT = 'test/fixtures/server/identity-server.ts';
/** Generous: tsx compiles the server on a loaded machine. */
const START_TIMEOUT_MS = 60_000;

/** @returns {import('@web/test-runner').TestRunnerPlugin} */
export function serverPlugin() {
  /** @type {Promise<{ url: string, token: string }> | undefined} */
  let started;
  /** @type {import('node:child_process').ChildProcess | undefined} */
  let child;
  /** @type {string | undefined} */
  let origin;

  /** @returns {Promise<{ url: string, token: string }>} */
  const start = () =>
    new Promise((resolve, reject) => {
      const proc = spawn(process.execPath, ['--import', 'tsx', SCRIPT, String(origin)], {
        cwd: ROOT,
        stdio: ['pipe', 'pipe', 'inherit'],
      });
      child = proc;
      let out = '';
      const timer = setTimeout(
        () => reject(new Error('mc-server: no URL in time')),
        START_TIMEOUT_MS,
      );
      proc.stdout.on('data', (chunk) => {
        out += chunk.toString('utf8');
        const line = out.split('\n').find((l) => l.startsWith('{'));
        if (line === undefined) return;
        clearTimeout(timer);
        resolve(JSON.parse(line));
      });
      proc.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`mc-server exited with ${code}`));
      });
    });

  return {
    name: 'mc-server',
    serverStart({ config }) {
      origin = `http://${config.hostname ?? 'localhost'}:${config.port}`;
    },
    async serverStop() {
      child?.kill('SIGTERM');
    },
    async executeCommand({ command }) {
      if (command !== 'mc-server') return undefined;
      started ??= start();
      return started;
    },
  };
}
