import { fileURLToPath } from 'node:url';

import { defineConfig } from 'vite';

import { microcanvas } from './vite-plugin/index.ts';

const root = fileURLToPath(new URL('.', import.meta.url));
const at = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

/**
 * `MC_PORT` picks the port (the e2e run uses its own). When it is given, the server fails
 * rather than drift to another port, which whoever asked for it would not find.
 */
const port = Number(process.env.MC_PORT) || 5173;
const strictPort = Boolean(process.env.MC_PORT);

/** Origins the host page talks to: the microcanvas server and sample backends `npm start` ran. */
const connectSrc = [
  process.env.VITE_MC_SERVER_URL,
  process.env.VITE_MC_TODO_BACKEND,
  process.env.VITE_MC_CHAT_BACKEND,
].filter((url): url is string => Boolean(url));

/**
 * The demo: a host page (`index.html`, on `localhost`) and three sample apps, each its own
 * page, loaded by the host from `127.0.0.1` on the same port: another site. The microcanvas
 * plugin (vite-plugin/, `microcanvas/vite` in the package) gives the host page its security
 * headers and the widgets theirs, in dev and preview, and builds each app as its own page.
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
      'microcanvas/testing': at('./testing/index.ts'),
    },
  },
  plugins: [
    microcanvas({
      role: 'both',
      // The host simulator's page for test/e2e/testing.spec.ts is a host page too.
      hostPages: ['index.html', 'test/e2e/simulator.html'],
      widgets: {
        calendar: 'sample-apps/calendar/index.html',
        todo: 'sample-apps/todo/index.html',
        chat: 'sample-apps/chat/index.html',
      },
      connectSrc,
    }),
  ],
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
    port,
    strictPort,
  },
  preview: { port, strictPort },
  worker: { format: 'es' },
  build: {
    outDir: 'dist/demo',
    emptyOutDir: true,
    target: 'es2022',
    // The inputs: index.html and the plugin's widgets.
  },
});
