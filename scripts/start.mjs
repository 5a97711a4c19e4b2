// `npm start`: the demo on Vite's dev server, and beside it a microcanvas server that syncs
// the demo's canvas across devices. The page is opened on `localhost`; the widgets are served
// by the same Vite server on `127.0.0.1`, which the browser treats as another site.
//
//   MC_PORT         Vite's port (default 5173; the next free one if taken)
//   MC_SERVER_PORT  the microcanvas server's port (default: a free one). The server CLI reads
//                   MC_PORT too, so it gets its port as a flag, never from MC_PORT
//   MC_SERVER_DATA  the server's SQLite file (default .microcanvas/demo.db)
//   MC_SERVER=off   no server: the canvas is saved in this browser and synced across its tabs only
//
// With the server come the sample backends (docs/backends.md, "Sample backends"), each a
// process of its own: the demo registers the three apps in the server's registry (the page
// reads its catalog from there), then starts the todo backend (behind the gateway, webhooks)
// and the chat backend (a queue, publishing), with credentials issued for this run.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from 'vite';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const withServer = process.env.MC_SERVER !== 'off';
let closing = false;

/** A free TCP port on IPv4 loopback (closed again before the server takes it). */
function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createNetServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

const serverPort = withServer ? Number(process.env.MC_SERVER_PORT) || (await freePort()) : 0;
const serverUrl = `http://127.0.0.1:${serverPort}`;
// The demo page reads it as import.meta.env.VITE_MC_SERVER_URL (Vite exposes VITE_* variables).
process.env.VITE_MC_SERVER_URL = withServer ? serverUrl : '';

// The sample backends' ports, chosen now: the page learns them from Vite's environment.
const [todoPort, chatPort] = withServer ? [await freePort(), await freePort()] : [0, 0];
process.env.VITE_MC_TODO_BACKEND = withServer ? `http://127.0.0.1:${todoPort}` : '';
process.env.VITE_MC_CHAT_BACKEND = withServer ? `http://127.0.0.1:${chatPort}` : '';

const vite = await createServer({ configFile: `${ROOT}vite.config.ts` });
await vite.listen();
const address = vite.httpServer?.address();
const port = typeof address === 'object' && address ? address.port : vite.config.server.port;

/** @type {import('node:child_process').ChildProcess | undefined} */
let server;
/** @type {import('node:child_process').ChildProcess[]} */
const backends = [];
// However this process ends, the processes it started end with it.
process.on('exit', () => {
  for (const child of [server, ...backends]) child?.kill('SIGTERM');
});
// The registry's admin credential, for this run only: the demo registers its apps with it.
const adminToken = randomBytes(32).toString('base64url');
if (withServer) {
  const data = process.env.MC_SERVER_DATA || `${ROOT}.microcanvas/demo.db`;
  mkdirSync(dirname(data), { recursive: true });
  const env = {
    ...process.env,
    MC_LOG_LEVEL: process.env.MC_LOG_LEVEL ?? 'warn',
    MC_ADMIN_TOKEN: adminToken,
  };
  delete env.MC_PORT;
  server = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'server/cli.ts',
      '--port',
      String(serverPort),
      '--engine-url',
      data,
      '--host-origin',
      `http://localhost:${port}`,
      '--dev-tokens',
      // The sample backends listen on loopback: the gateway and webhooks may reach it.
      '--allow-private',
      '127.0.0.0/8',
      '--probe-interval',
      '5s',
    ],
    { cwd: ROOT, env, stdio: ['ignore', 'inherit', 'inherit'] },
  );
  server.on('exit', (code, signal) => {
    if (closing) return;
    console.error(`microcanvas server exited (${signal ?? code}); the demo stays up without it`);
  });
  await waitForHealth(`${serverUrl}/healthz`);
  if (server.exitCode === null) await startBackends(`http://127.0.0.1:${port}`);
}

console.log(
  `microcanvas demo: http://localhost:${port}/  (widgets are served from http://127.0.0.1:${port})`,
);
if (withServer) {
  console.log(
    `microcanvas server: ${serverUrl}/  (dev tokens on; the demo syncs space "demo" as user "demo": open the demo in two browsers)`,
  );
}

/**
 * Registers the sample apps (widgets from `127.0.0.1`, another site than the page on
 * `localhost`) and starts their backends. A failure leaves the demo up without them.
 */
async function startBackends(widgetOrigin) {
  const hostOrigin = `http://localhost:${port}`;
  try {
    const { tsImport } = await import('tsx/esm/api');
    /** @type {typeof import('../demo/provision.ts')} */
    const { provisionDemo } = await tsImport('../demo/provision.ts', import.meta.url);
    const secrets = await provisionDemo(serverUrl, adminToken, widgetOrigin, {
      todo: `http://127.0.0.1:${todoPort}`,
      chat: `http://127.0.0.1:${chatPort}`,
    });
    const common = { ...process.env, MC_SERVER_URL: serverUrl, MC_HOST_ORIGIN: hostOrigin };
    backends.push(
      startBackend('sample-apps/todo/backend/server.ts', {
        ...common,
        TODO_PORT: String(todoPort),
        TODO_CREDENTIAL: secrets.todoCredential,
        TODO_WEBHOOK_SECRET: secrets.todoWebhookSecret,
        TODO_DATA: process.env.MC_TODO_DATA || `${ROOT}.microcanvas/todo-backend.json`,
      }),
      startBackend('sample-apps/chat/backend/server.ts', {
        ...common,
        CHAT_PORT: String(chatPort),
        CHAT_CREDENTIAL: secrets.chatCredential,
      }),
    );
    console.log(
      `sample backends: todo http://127.0.0.1:${todoPort}/  chat http://127.0.0.1:${chatPort}/`,
    );
  } catch (error) {
    console.error(`sample backends not started: ${error}`);
  }
}

/** @param {string} file @param {NodeJS.ProcessEnv} env */
function startBackend(file, env) {
  const child = spawn(process.execPath, ['--import', 'tsx', file], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  child.on('exit', (code, signal) => {
    if (!closing) console.error(`${file} exited (${signal ?? code})`);
  });
  return child;
}

/** Resolves once `url` answers 200, or after 30 s (the demo then runs without sync). */
async function waitForHealth(url) {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline && server?.exitCode === null) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, async () => {
    if (closing) return;
    closing = true;
    const children = [server, ...backends].filter((c) => c !== undefined && c.exitCode === null);
    const exited = children.map((c) => new Promise((resolve) => c.once('exit', resolve)));
    for (const child of children) child.kill('SIGTERM');
    await Promise.all([vite.close(), ...exited]);
    process.exit(0);
  });
}
