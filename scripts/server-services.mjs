// @ts-check
// Redis and NATS (with JetStream) for the server tests: the machine's own when they answer
// (127.0.0.1:6379 and :4222, or MC_REDIS_URL / MC_NATS_URL), otherwise our own children on
// free ports, from Debian's redis-server and nats-server (installed with apt when missing
// and we are root, as scripts/browsers.mjs does for browsers). The server tests never mock
// either service: an engine whose service cannot be had is left out, and the caller says so
// (and counts it as a failure under CI, where both must run).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const REDIS_SERVER = '/usr/bin/redis-server';
export const NATS_SERVER = '/usr/sbin/nats-server';

/**
 * Sends `send` (if any) to host:port and resolves to what came back first, or null when
 * nothing answers within `ms`.
 * @param {number} port @param {string | null} send @param {number} [ms]
 * @returns {Promise<string | null>}
 */
function probe(port, send, ms = 1_500, host = '127.0.0.1') {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (/** @type {string | null} */ value) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(value);
    };
    const timer = setTimeout(() => done(null), ms);
    socket.on('connect', () => send !== null && socket.write(send));
    socket.on('data', (data) => done(data.toString('utf8')));
    socket.on('error', () => done(null));
  });
}

/** @param {string} url @param {number} fallback */
function portOf(url, fallback) {
  const port = Number(new URL(url).port);
  return port > 0 ? port : fallback;
}

/** True when a Redis answers PING at `url`. @param {string} url */
export async function redisAnswers(url) {
  return (await probe(portOf(url, 6379), 'PING\r\n', 1_500, new URL(url).hostname))?.startsWith(
    '+PONG',
  );
}

/** True when a NATS server with JetStream greets us at `url`. @param {string} url */
export async function natsAnswers(url) {
  const info = await probe(portOf(url, 4222), null, 1_500, new URL(url).hostname);
  return info !== null && info.startsWith('INFO') && /"jetstream":\s*true/.test(info);
}

/** A TCP port nobody listens on right now. @returns {Promise<number>} */
export async function freePort() {
  // Below Linux's ephemeral range (32768–60999 by default): a port the kernel handed out for
  // port 0 and that was then closed is soon handed to an outgoing connection (to Redis, NATS,
  // a test server), and the process meant to listen on it fails with EADDRINUSE (seen once in
  // a clean-clone run). A random port from 20000–32767 that binds now is taken by nobody
  // else but a caller of this function.
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_768);
    if (await bindable(port)) return port;
  }
  throw new Error('no free port in 20000-32767');
}

/** @param {number} port */
function bindable(port) {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * Installs Debian packages as root; false when not root or apt fails.
 * @param {string[]} packages
 */
function aptInstall(packages) {
  if (process.getuid?.() !== 0) return false;
  try {
    console.log(`installing ${packages.join(', ')} with apt-get`);
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
    execFileSync('apt-get', ['install', '-y', '-qq', ...packages], {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    return true;
  } catch (error) {
    console.error(`apt-get install failed: ${error instanceof Error ? error.message : error}`);
    return false;
  }
}

/** Makes sure the binaries of both servers exist, installing what is missing as root. */
export function ensureServiceBinaries() {
  const missing = [];
  if (!existsSync(REDIS_SERVER)) missing.push('redis-server');
  if (!existsSync(NATS_SERVER)) missing.push('nats-server');
  if (missing.length > 0) aptInstall(missing);
  return { redis: existsSync(REDIS_SERVER), nats: existsSync(NATS_SERVER) };
}

/**
 * Polls `ready` every 50 ms until it is true or `ms` ran out.
 * @param {() => Promise<boolean | undefined>} ready @param {number} ms
 */
async function waitFor(ready, ms) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await ready()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

/**
 * Starts a redis-server child on `port` (nothing on disk unless `dir` and `appendonly`).
 * @param {number} port
 * @param {{ dir?: string, appendonly?: boolean }} [options]
 */
export async function startRedis(port, options = {}) {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', ''];
  if (options.dir) args.push('--dir', options.dir);
  args.push('--appendonly', options.appendonly ? 'yes' : 'no');
  if (options.appendonly) args.push('--appendfsync', 'always');
  const child = spawn(REDIS_SERVER, args, { stdio: 'ignore' });
  const url = `redis://127.0.0.1:${port}`;
  if (!(await waitFor(() => redisAnswers(url), 10_000))) {
    child.kill('SIGKILL');
    throw new Error(`redis-server on port ${port} did not answer`);
  }
  return { url, child };
}

/**
 * Starts a nats-server child with JetStream on `port`, storing in `dir`.
 * @param {number} port @param {string} dir
 */
export async function startNats(port, dir) {
  const child = spawn(NATS_SERVER, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dir], {
    stdio: 'ignore',
  });
  const url = `nats://127.0.0.1:${port}`;
  if (!(await waitFor(() => natsAnswers(url), 10_000))) {
    child.kill('SIGKILL');
    throw new Error(`nats-server on port ${port} did not answer`);
  }
  return { url, child };
}

/**
 * The services for one test run: URLs in `env` (MC_REDIS_URL, MC_NATS_URL, MC_TEST_ENGINES),
 * what is missing in `missing`, and `stop()` for the children we started.
 */
export async function provideServices() {
  /** @type {Record<string, string>} */
  const env = {};
  /** @type {string[]} */
  const missing = [];
  /** @type {import('node:child_process').ChildProcess[]} */
  const children = [];
  /** @type {string[]} */
  const dirs = [];
  const engines = ['embedded'];

  const redisUrl = process.env.MC_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const natsUrl = process.env.MC_NATS_URL ?? 'nats://127.0.0.1:4222';
  const redisUp = await redisAnswers(redisUrl);
  const natsUp = await natsAnswers(natsUrl);
  // The fault tests start servers of their own even when the machine's answer.
  const binaries = ensureServiceBinaries();

  if (redisUp) {
    env.MC_REDIS_URL = redisUrl;
    engines.push('redis');
  } else if (binaries.redis) {
    const { url, child } = await startRedis(await freePort());
    children.push(child);
    env.MC_REDIS_URL = url;
    engines.push('redis');
    console.log(`no Redis at ${redisUrl}: started redis-server at ${url} for this run`);
  } else {
    missing.push(`Redis (nothing answers at ${redisUrl}; ${REDIS_SERVER} missing, not root)`);
  }

  if (natsUp) {
    env.MC_NATS_URL = natsUrl;
    engines.push('nats');
  } else if (binaries.nats) {
    const dir = mkdtempSync(join(tmpdir(), 'mc-nats-'));
    dirs.push(dir);
    const { url, child } = await startNats(await freePort(), dir);
    children.push(child);
    env.MC_NATS_URL = url;
    engines.push('nats');
    console.log(`no NATS at ${natsUrl}: started nats-server -js at ${url} for this run`);
  } else {
    missing.push(
      `NATS JetStream (nothing answers at ${natsUrl}; ${NATS_SERVER} missing, not root)`,
    );
  }
  env.MC_TEST_ENGINES = engines.join(',');
  return {
    env,
    missing,
    stop() {
      for (const child of children) child.kill('SIGKILL');
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    },
  };
}
