// @ts-check
// The server's runnable build: server/cli.ts bundled by esbuild into dist/server/cli.js,
// the `microcanvas-server` bin of the package. pino, prom-client, ws and jose (pure
// JavaScript) are bundled in, so that `npx microcanvas-server` needs only the driver of its engine
// (better-sqlite3, ioredis or @nats-io/*, optional peer dependencies, loaded when chosen);
// native and engine packages stay external. The same build writes dist/server/index.js, the
// `microcanvas/server` import entry (server/index.ts; its declarations come from
// tsconfig.build-server.json), sharing chunks with the bin, and dist/server/backend.js, the
// `microcanvas/backend` entry for app backends (server/backend/index.ts).
import { build } from 'esbuild';
import { copyFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Packages the bundle imports at run time instead of carrying. */
export const SERVER_EXTERNAL = [
  'better-sqlite3',
  'ioredis',
  '@nats-io/transport-node',
  '@nats-io/jetstream',
  '@nats-io/kv',
];

/**
 * Writes `<outdir>/cli.js`, `<outdir>/index.js` and `<outdir>/backend.js` (default dist/server)
 * and their chunks.
 * @param {string} [outdir]
 */
export async function buildServer(outdir = `${ROOT}dist/server`) {
  await build({
    absWorkingDir: ROOT,
    // `microcanvas/backend` (server/backend/) too: jose and zod only, in a chunk of its own.
    entryPoints: {
      cli: 'server/cli.ts',
      index: 'server/index.ts',
      backend: 'server/backend/index.ts',
    },
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: SERVER_EXTERNAL,
    // Bundled CommonJS (pino, prom-client) calls require() for Node built-ins.
    banner: {
      js: "import { createRequire as __mcRequire } from 'node:module'; const require = __mcRequire(import.meta.url);",
    },
    logLevel: 'warning',
    legalComments: 'linked',
  });
}

/**
 * Writes `<outdir>/index.js` (default dist/vite), the `microcanvas/vite` entry: the Vite
 * plugin (vite-plugin/), for Node like the server, with `vite` itself left to the app, and
 * `<outdir>/client.d.ts`, the types of the module the plugin provides (`microcanvas/vite/client`).
 * @param {string} [outdir]
 */
export async function buildVitePlugin(outdir = `${ROOT}dist/vite`) {
  await build({
    absWorkingDir: ROOT,
    entryPoints: { index: 'vite-plugin/index.ts' },
    outdir,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: ['vite'],
    logLevel: 'warning',
  });
  copyFileSync(`${ROOT}vite-plugin/client.d.ts`, `${outdir}/client.d.ts`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await buildServer();
  await buildVitePlugin();
}
