// The benchmark's server: vite (programmatic, no config file) for the host page, the shell
// and the broker Worker, plus the pre-bundled widget fixtures. One port, two listeners:
// 127.0.0.1 (page on `localhost`, good widgets on `127.0.0.1`) and 127.0.0.2 (the flooder,
// a third site, so its busy loop does not share a renderer thread with the widgets it floods).
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

import { createServer } from 'vite';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Bundled fixtures: outside the tree that lint and prettier read, served as `/bench/.build/`. */
export const BUILD_DIR = join(ROOT, 'node_modules', '.cache', 'microcanvas-bench');

/**
 * Sent on every response. COOP + COEP make the bench page cross-origin isolated (5 µs
 * `performance.now()` instead of 100 µs); COEP also requires every framed document and
 * script to opt in with CORP. Sandboxed frames have an opaque origin, so their module
 * scripts are CORS fetches with `Origin: null`: everything must be readable by anyone.
 */
export const BENCH_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'cross-origin',
  'Access-Control-Allow-Origin': '*',
};

const TYPES = { '.js': 'text/javascript', '.html': 'text/html', '.map': 'application/json' };

const FIXTURES_DIR = join(ROOT, 'bench', 'fixtures');
const BENCH_PAGE = join(ROOT, 'bench', 'index.html');

/**
 * Serves the widget side from disk, untouched by vite: `/bench/.build/*` (the bundled
 * fixtures) and `/bench/fixtures/*.html`. Widgets ship bundled; vite's dev transforms (and
 * its client script) would weigh on microcanvas frames and raw frames unevenly.
 */
function serveBuild(req, res, next) {
  const path = normalize((req.url ?? '').split(/[?#]/)[0]);
  const file = path.startsWith('/bench/.build/')
    ? join(BUILD_DIR, path.slice('/bench/.build/'.length))
    : join(ROOT, path);
  const isBuild = file.startsWith(BUILD_DIR + '/');
  const isFixturePage = file.startsWith(FIXTURES_DIR + '/') && file.endsWith('.html');
  // The bench page too: vite's HTML transform would add its HMR client, which keeps trying
  // to reach a websocket the bench does not run.
  const isBenchPage = file === BENCH_PAGE;
  if (!isBuild && !isFixturePage && !isBenchPage) return next();
  readFile(file).then(
    (body) => {
      res.setHeader('Content-Type', TYPES[extname(file)] ?? 'application/octet-stream');
      // Same caching for raw and microcanvas fixtures, so neither pays revalidation alone.
      res.setHeader('Cache-Control', file === BENCH_PAGE ? 'no-cache' : 'max-age=600');
      res.end(body);
    },
    () => next(),
  );
}

function benchPlugin() {
  return {
    name: 'microcanvas-bench',
    configureServer(server) {
      server.middlewares.use((_req, res, next) => {
        for (const [name, value] of Object.entries(BENCH_HEADERS)) res.setHeader(name, value);
        next();
      });
      server.middlewares.use(serveBuild);
    },
  };
}

/**
 * Starts the server on a free port. Returns its port and a `close()` that stops both
 * listeners.
 */
export async function startServer() {
  const server = await createServer({
    configFile: false,
    root: ROOT,
    // Its own optimizer cache: another vite (the demo, the e2e run) rewriting the shared
    // node_modules/.vite under us answers 504 "Outdated Optimize Dep".
    cacheDir: join(BUILD_DIR, 'vite'),
    logLevel: 'warn',
    clearScreen: false,
    plugins: [benchPlugin()],
    // Our own CORS header (`*`) must not be narrowed by vite's default origin allow-list.
    server: { host: '127.0.0.1', port: 0, strictPort: false, cors: false, hmr: false, ws: false },
    // Pre-bundle the host page's dependencies at start, so the page is never reloaded.
    optimizeDeps: {
      noDiscovery: true,
      include: [
        'lit',
        'lit/directives/repeat.js',
        'lit/directives/style-map.js',
        'comlink',
        'zod',
        'penpal',
      ],
    },
    worker: { format: 'es' },
  });
  await server.listen();
  const address = server.httpServer.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const second = http.createServer(server.middlewares);
  await new Promise((resolve, reject) => {
    second.once('error', reject);
    second.listen(port, '127.0.0.2', resolve);
  });
  return {
    port,
    async close() {
      await new Promise((resolve) => second.close(resolve));
      second.closeAllConnections?.();
      await server.close();
    },
  };
}
