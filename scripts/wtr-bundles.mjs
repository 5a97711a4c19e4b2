// @ts-check
// Test pages and fixture widgets as one bundled script each, for the browser tests.
//
// Served module by module, a test page made ~200 requests (lit, zod/mini's many files,
// penpal, comlink, the shell), each engine compiled that graph again for each of the ~30
// files and again for the broker Worker every page starts. A fixture widget loaded the SDK
// as a dozen modules plus the runner's web-socket script (one socket per frame), and its
// sandboxed (opaque-origin) frame reused none of it on the next mount: the 1,000-cycle soak
// fetched ~13,000 files. Here, before the runner's own transforms can touch them:
//
// - `/test/**/*.test.ts` and the Worker's entry are answered with the file bundled;
// - `/test/fixtures/bundled/<name>.html` is a page whose one script is
//   `test/fixtures/<name>.ts` bundled; `/test/fixtures/bundled-dev/<name>.html` the same,
//   bundled under the `development` condition, as a Vite dev server resolves it: the SDK's
//   development build (docs/decisions/0025-dev-mode.md).
//
// Bundles are built by esbuild once per server (restart `--watch` to see source changes)
// and kept in memory. `import.meta.url` in project sources is replaced by the source's own
// URL, so `new URL('../broker/broker-worker.ts', import.meta.url)` still finds its module.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const FIXTURES = /^\/test\/fixtures\/bundled(-dev)?\//;

/** @type {import('esbuild').Plugin} */
const ownUrls = {
  name: 'own-urls',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, async (args) => {
      if (args.path.includes('/node_modules/')) return undefined;
      const source = await readFile(args.path, 'utf8');
      if (!source.includes('import.meta.url')) return undefined;
      const url = `new URL(${JSON.stringify(`/${relative(ROOT, args.path)}`)}, location.origin).href`;
      return { contents: source.replaceAll('import.meta.url', url), loader: 'ts' };
    });
  },
};

/** @type {Map<string, Promise<string>>} */
const bundles = new Map();

/**
 * One entry bundled: its code, or (`map`) its source map. Test files are served with a
 * `sourceMappingURL` comment pointing at `<entry>.map`, which is built only when asked for:
 * by the runner when it maps a failure's stack, by a developer's devtools. Inline maps made
 * each test page's script 4× larger (hostile.test.ts: 6.7 MB against 1.5 MB), every engine
 * parsed that for each of ~55 files, and building them took 3× as long (55 files: 25.8 s
 * against 8.7 s on one loaded core). esbuild's code is the same with or without a map.
 * @param {string} path the entry, relative to the root
 * @param {'code' | 'linked' | 'map'} [output] `code` alone (fixtures: the soak loads them a
 *   thousand times), `linked` code that names its map, or that `map`
 * @param {string} [condition] the export condition: `production`, or `development`
 */
function bundle(path, output = 'code', condition = 'production') {
  const key = `${condition}:${output}:${path}`;
  let text = bundles.get(key);
  if (!text) {
    text = build({
      entryPoints: [join(ROOT, path)],
      // The map's sources are relative to this file, which is where the runner resolves them.
      outfile: join(ROOT, path),
      allowOverwrite: true,
      bundle: true,
      format: 'esm',
      target: 'es2022',
      write: false,
      conditions: [condition],
      tsconfig: join(ROOT, 'tsconfig.json'),
      // esbuild 0.28 without code splitting drops the initialisation of a module that is
      // also loaded with `import()` when it is reached through an `export *` barrel of a
      // package whose `sideEffects` does not list it (our sdk/protocol/index.ts): the shell's
      // lazy schema chunks (docs/decisions/0012) then read `undefined`. Tests need no
      // tree-shaking, so they bundle without annotations. Apps get dist/lib, built by Vite.
      ignoreAnnotations: true,
      plugins: [ownUrls],
      sourcemap: output === 'map' ? 'external' : false,
      logLevel: 'silent',
    }).then(({ outputFiles }) => {
      if (output === 'map')
        return outputFiles.find((file) => file.path.endsWith('.map'))?.text ?? '';
      const code = outputFiles[0]?.text ?? '';
      return output === 'linked'
        ? `${code}//# sourceMappingURL=${encodeURIComponent(basename(path))}.map\n`
        : code;
    });
    // A failed build is not kept: the next request tries again.
    text.catch(() => bundles.delete(key));
    bundles.set(key, text);
  }
  return text;
}

/** @returns {import('@web/dev-server-core').Middleware} */
export function bundledTests() {
  return async (ctx, next) => {
    const map = ctx.path.endsWith('.map');
    const path = map ? ctx.path.slice(0, -'.map'.length) : ctx.path;
    // A sample app's script (its page loads `./main.ts`), for test/apps/: bundled, since it
    // imports `microcanvas/sdk`, which only the bundler's tsconfig paths resolve to source.
    const app = /^\/sample-apps\/[a-z]+\/main\.ts$/.test(path);
    const entry =
      app || /^\/test\/[\w/.-]+\.test\.ts$/.test(path) || path === '/shell/broker/broker-worker.ts';
    if (!entry || path.includes('..')) return next();
    // Module scripts in sandboxed frames are CORS fetches with `Origin: null`.
    if (app) ctx.set('Access-Control-Allow-Origin', '*');
    ctx.type = map ? 'json' : 'js';
    ctx.body = await bundle(path.slice(1), map ? 'map' : 'linked');
  };
}

/** @returns {import('@web/dev-server-core').Middleware} */
export function bundledFixtures() {
  return async (ctx, next) => {
    const prefix = FIXTURES.exec(ctx.path);
    if (!prefix) return next();
    const match = /^([a-z][a-z0-9-]*)\.(html|js)$/.exec(ctx.path.slice(prefix[0].length));
    if (!match || !existsSync(join(ROOT, 'test/fixtures', `${match[1]}.ts`))) return next();
    const [, name, kind] = match;
    // Module scripts in sandboxed frames are CORS fetches with `Origin: null`.
    ctx.set('Access-Control-Allow-Origin', '*');
    ctx.set('Cache-Control', 'max-age=600');
    if (kind === 'html') {
      ctx.type = 'html';
      ctx.body = `<!doctype html><meta charset="utf-8"><title>${name} (bundled)</title><script type="module" src="./${name}.js"></script>\n`;
    } else {
      ctx.type = 'js';
      const condition = prefix[1] ? 'development' : 'production';
      ctx.body = await bundle(`test/fixtures/${name}.ts`, 'code', condition);
    }
  };
}
