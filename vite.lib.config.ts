import { fileURLToPath } from 'node:url';

import { defineConfig } from 'vite';

const at = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

/**
 * Runtime dependencies stay imports (the app's bundler dedupes them); deep imports such as
 * `lit/decorators.js` too.
 */
const EXTERNAL = /^(?:lit|lit-html|lit-element|@lit\/[^/]+|penpal|comlink|zod)(?:\/.*)?$/;

/**
 * The library build: one ES module per entry of the `exports` map, in `dist/lib/`.
 * Declarations come from `tsc -p tsconfig.build.json` (into `dist/types/`).
 *
 * The broker Worker, created with `new Worker(new URL(...), { type: 'module' })`, is emitted
 * as its own file under `assets/` with a URL relative to `shell.js`, so it loads from wherever
 * the package is installed and an app's bundler recognises the same pattern. Its
 * dependencies are bundled into it: a Worker shares no modules with the page, so there is
 * nothing to dedupe, and the file then runs as is even when only copied as an asset.
 */
export default defineConfig({
  // Relative URLs for emitted files (the Worker): resolved against `import.meta.url`.
  base: './',
  // The demo's `public/` is not part of the library.
  publicDir: false,
  worker: { format: 'es' },
  build: {
    outDir: 'dist/lib',
    emptyOutDir: true,
    target: 'es2022',
    minify: false,
    sourcemap: true,
    copyPublicDir: false,
    lib: {
      entry: {
        shell: at('./shell/index.ts'),
        sdk: at('./sdk/index.ts'),
        protocol: at('./sdk/protocol/index.ts'),
      },
      formats: ['es'],
      fileName: (_format, name) => `${name}.js`,
    },
    rolldownOptions: {
      external: EXTERNAL,
      output: { chunkFileNames: 'chunks/[name]-[hash].js' },
    },
  },
});
