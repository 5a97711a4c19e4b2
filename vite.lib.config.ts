import { fileURLToPath } from 'node:url';

import { defineConfig, type Plugin } from 'vite';

const at = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

/**
 * Runtime dependencies stay imports (the app's bundler dedupes them); deep imports such as
 * `lit/decorators.js` too.
 */
const EXTERNAL = /^(?:lit|lit-html|lit-element|@lit\/[^/]+|penpal|comlink|zod|idb)(?:\/.*)?$/;

/**
 * In library mode Vite writes a Worker's URL as
 * `new URL(/* @vite-ignore *\/ new URL("assets/x.js", import.meta.url).href, "" + import.meta.url)`,
 * which an app's bundler does not recognise as a Worker: Vite copies the file as a plain
 * asset, so a Worker it starts (the broker's port reaper) is never emitted and its request
 * gets the app's index.html. This puts back the pattern bundlers look for,
 * `new Worker(new URL("./assets/x.js", import.meta.url), …)`, keeping the line count so the
 * source maps stay close. It runs in `renderChunk`, before file names are hashed, so that the
 * hashes cover the rewrite. test/consumer/run.mjs checks the result in a Vite-built app.
 */
function plainWorkerUrls(): Plugin {
  const BUILT_URL =
    /new URL\(\s*\/\* @vite-ignore \*\/\s*new URL\(\s*"([^"]+)",\s*import\.meta\.url\s*\)\.href,\s*(?:""|'')\s*\+\s*import\.meta\.url\s*\)/g;
  return {
    name: 'microcanvas:plain-worker-urls',
    renderChunk: {
      order: 'post',
      handler(code, chunk) {
        const plain = code.replace(BUILT_URL, (match, file: string) => {
          const lines = '\n'.repeat(match.split('\n').length - 1);
          return `new URL(${JSON.stringify(`./${file}`)}, import.meta.url${lines})`;
        });
        // A Vite that writes Worker URLs another way must fail the build, not ship a
        // package whose second Worker is missing from every app.
        if (/new Worker\(\s*new URL\(\s*\/\*/.test(plain)) {
          this.error(`${chunk.fileName}: a Worker URL in a form this plugin does not know`);
        }
        if (plain === code) return null;
        // Lines are kept (the rewrite pads with newlines), so the chunk's source map still
        // holds but for columns on the rewritten lines: `map: null` says so, where a bare
        // string made the bundler warn SOURCEMAP_BROKEN for every chunk.
        return { code: plain, map: null };
      },
    },
  };
}

/**
 * The library build: one ES module per entry of the `exports` map, in `dist/lib/`.
 * Declarations come from `tsc -p tsconfig.build.json` (into `dist/types/`).
 *
 * The broker Worker, created with `new Worker(new URL(...), { type: 'module' })`, is emitted
 * as its own file under `assets/` with a URL relative to `shell.js`, so it loads from wherever
 * the package is installed, and {@link plainWorkerUrls} writes it in the pattern an app's
 * bundler recognises, so that the app bundles it as a Worker (and the port reaper the broker
 * Worker starts in turn). Its dependencies are bundled into it: a Worker shares no modules
 * with the page, so there is nothing to dedupe, and the file also runs as is when an app's
 * bundler only copies it.
 */
export default defineConfig(({ mode }) => ({
  // Relative URLs for emitted files (the Worker): resolved against `import.meta.url`.
  base: './',
  // `--mode development` builds the development build into dist/lib/development/, which the
  // exports map's `development` condition points at: `#microcanvas-dev` resolves to the SDK's
  // warnings and explanations there, to nothing in the default build
  // (docs/decisions/0025-dev-mode.md).
  ...(mode === 'development'
    ? { resolve: { conditions: ['module', 'browser', 'development'] } }
    : {}),
  // The demo's `public/` is not part of the library.
  publicDir: false,
  worker: { format: 'es', plugins: () => [plainWorkerUrls()] },
  plugins: [plainWorkerUrls()],
  build: {
    outDir: mode === 'development' ? 'dist/lib/development' : 'dist/lib',
    emptyOutDir: true,
    target: 'es2022',
    minify: false,
    sourcemap: true,
    copyPublicDir: false,
    lib: {
      entry: {
        shell: at('./shell/index.ts'),
        sync: at('./shell/sync.ts'),
        sdk: at('./sdk/index.ts'),
        protocol: at('./sdk/protocol/index.ts'),
        remote: at('./shell/remote/index.ts'),
        // The host simulator for widget tests: it shares the shell's chunks, never the reverse.
        testing: at('./testing/index.ts'),
      },
      formats: ['es'],
      fileName: (_format, name) => `${name}.js`,
    },
    rolldownOptions: {
      external: EXTERNAL,
      output: { chunkFileNames: 'chunks/[name]-[hash].js' },
    },
  },
}));
