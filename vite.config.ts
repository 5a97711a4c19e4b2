import { fileURLToPath } from 'node:url';

import { defineConfig, type Connect, type Plugin } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const at = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

/**
 * `MC_PORT` picks the port (the e2e run uses its own). When it is given, the server fails
 * rather than drift to another port, which whoever asked for it would not find.
 */
const port = Number(process.env.MC_PORT) || 5173;
const strictPort = Boolean(process.env.MC_PORT);

/**
 * Features the demo page itself never uses. A Permissions-Policy that denies a feature to
 * the page also denies it to every frame in it, so these can never be delegated to a widget
 * whatever its `allow` attribute says. The demo's manifests ask for no permissions; a host
 * whose widgets need, say, the camera would list the widget origin here:
 * `camera=("https://widgets.example")`.
 */
const DENIED_FEATURES = [
  'camera',
  'microphone',
  'geolocation',
  'payment',
  'usb',
  'serial',
  'hid',
  'display-capture',
  'midi',
  'accelerometer',
  'gyroscope',
  'magnetometer',
];

/** Headers of the host page (not of the widgets: they are framed, so these do not apply). */
const HOST_PAGE_HEADERS: Record<string, string> = {
  // The demo opens no popups; nothing cross-origin gets a handle on this window.
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Permissions-Policy': DENIED_FEATURES.map((f) => `${f}=()`).join(', '),
  // The host page must not itself be framed by someone else (clickjacking the canvas).
  'Content-Security-Policy': "frame-ancestors 'self'",
  'X-Content-Type-Options': 'nosniff',
};

/** The host page's paths, in dev (`/`) and preview (`/index.html`). */
function isHostPage(url: string | undefined): boolean {
  const path = (url ?? '').split(/[?#]/)[0];
  return path === '/' || path === '/index.html';
}

const headers: Connect.NextHandleFunction = (req, res, next) => {
  // Widget frames are sandboxed without allow-same-origin, so their module scripts are CORS
  // fetches with `Origin: null`: every file must be readable cross-origin. Nothing served
  // here is private (it is the demo's own source).
  res.setHeader('Access-Control-Allow-Origin', '*');
  if (isHostPage(req.url)) {
    for (const [name, value] of Object.entries(HOST_PAGE_HEADERS)) res.setHeader(name, value);
  }
  next();
};

/** Adds the CORS and host-page headers to the dev and the preview server alike. */
function demoHeaders(): Plugin {
  return {
    name: 'microcanvas-demo-headers',
    configureServer(server) {
      server.middlewares.use(headers);
    },
    configurePreviewServer(server) {
      server.middlewares.use(headers);
    },
  };
}

/**
 * The demo: a host page (`index.html`, on `localhost`) and three sample apps, each its own
 * page, loaded by the host from `127.0.0.1` on the same port: another site.
 */
export default defineConfig({
  root,
  resolve: {
    alias: {
      'microcanvas/sdk': at('./sdk/index.ts'),
      'microcanvas/shell': at('./shell/index.ts'),
      'microcanvas/sync': at('./shell/sync.ts'),
      'microcanvas/protocol': at('./sdk/protocol/index.ts'),
      'microcanvas/remote': at('./shell/remote/index.ts'),
    },
  },
  plugins: [demoHeaders()],
  optimizeDeps: {
    // Known up front, so the dev server never re-bundles them mid-session and reloads the
    // page (a widget frame that reloads on its own would have to redo its handshake).
    include: [
      'lit',
      'lit/directives/repeat.js',
      'lit/directives/style-map.js',
      'penpal',
      'comlink',
      'zod',
    ],
  },
  server: {
    // Compile the demo's entry points at startup rather than on the first page load.
    warmup: {
      clientFiles: ['./demo/main.ts', './sample-apps/*/main.ts', './shell/broker/broker-worker.ts'],
    },
    // Test and screenshot output is written while the server runs; it is not source.
    watch: {
      ignored: ['**/test-results/**', '**/playwright-report/**', '**/screenshots/**', '**/.ci/**'],
    },
    // Bound to IPv4 loopback so both `localhost` (the page) and `127.0.0.1` (the widgets)
    // reach it; `localhost` alone may bind ::1 only.
    host: '127.0.0.1',
    port,
    strictPort,
  },
  preview: { host: '127.0.0.1', port, strictPort },
  worker: { format: 'es' },
  build: {
    outDir: 'dist/demo',
    emptyOutDir: true,
    target: 'es2022',
    rollupOptions: {
      input: {
        demo: at('./index.html'),
        calendar: at('./sample-apps/calendar/index.html'),
        todo: at('./sample-apps/todo/index.html'),
        chat: at('./sample-apps/chat/index.html'),
      },
    },
  },
});
