// `npm start`: the demo on Vite's dev server, and beside it a microcanvas server that syncs
// the demo's canvas across devices. The page is opened on `localhost`; the widgets are served
// by the same Vite server on `127.0.0.1`, which the browser treats as another site.
//
//   MC_PORT         Vite's port (default 5173; the next free one if taken)
//   MC_SERVER_PORT  the microcanvas server's port (default: a free one). The server CLI reads
//                   MC_PORT too, so it gets its port as a flag, never from MC_PORT
//   MC_SERVER_DATA  the server's SQLite file (default .microcanvas/demo.db)
//   MC_SERVER=off   no server: the canvas is saved in this browser and synced across its tabs only
import { spawn } from 'node:child_process';
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

const vite = await createServer({ configFile: `${ROOT}vite.config.ts` });
await vite.listen();
const address = vite.httpServer?.address();
const port = typeof address === 'object' && address ? address.port : vite.config.server.port;

/** @type {import('node:child_process').ChildProcess | undefined} */
let server;
// However this process ends, the server it started ends with it.
process.on('exit', () => server?.kill('SIGTERM'));
if (withServer) {
  const data = process.env.MC_SERVER_DATA || `${ROOT}.microcanvas/demo.db`;
  mkdirSync(dirname(data), { recursive: true });
  const env = { ...process.env, MC_LOG_LEVEL: process.env.MC_LOG_LEVEL ?? 'warn' };
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
    ],
    { cwd: ROOT, env, stdio: ['ignore', 'inherit', 'inherit'] },
  );
  server.on('exit', (code, signal) => {
    if (closing) return;
    console.error(`microcanvas server exited (${signal ?? code}); the demo stays up without it`);
  });
  await waitForHealth(`${serverUrl}/healthz`);
}

console.log(
  `microcanvas demo: http://localhost:${port}/  (widgets are served from http://127.0.0.1:${port})`,
);
if (withServer) {
  console.log(
    `microcanvas server: ${serverUrl}/  (dev tokens on; the demo syncs space "demo" as user "demo": open the demo in two browsers)`,
  );
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
    const exited =
      server && server.exitCode === null
        ? new Promise((resolve) => server?.once('exit', resolve))
        : undefined;
    server?.kill('SIGTERM');
    await Promise.all([vite.close(), exited]);
    process.exit(0);
  });
}
