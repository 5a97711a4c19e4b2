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
// and kept in memory. The test files the run lists are built together, at the first request
// for one, with code splitting: one build of ~60 entries takes about a second, where one
// build per file took 0.5-1.3 s each and held up every test page by that much (decision
// 0038); their shared code (lit, zod, the shell, chai) is a few chunks under
// `/__chunks__/`. A test file outside that list is built alone, as before. `import.meta.url` in project sources is replaced by the source's own
// URL, so `new URL('../broker/broker-worker.ts', import.meta.url)` still finds its module.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { basename, join, relative, sep } from 'node:path';
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

/** The prefix under which the joint build's shared chunks are served. */
const CHUNKS = '__chunks__';

/**
 * The options every test bundle is built with.
 * @type {import('esbuild').BuildOptions}
 */
const TEST_OPTIONS = {
  bundle: true,
  format: 'esm',
  target: 'es2022',
  write: false,
  conditions: ['production'],
  tsconfig: join(ROOT, 'tsconfig.json'),
  // esbuild 0.28 without code splitting drops the initialisation of a module that is
  // also loaded with `import()` when it is reached through an `export *` barrel of a
  // package whose `sideEffects` does not list it (our sdk/protocol/index.ts): the shell's
  // lazy schema chunks (docs/decisions/0012) then read `undefined`. Tests need no
  // tree-shaking, so they bundle without annotations. Apps get dist/lib, built by Vite.
  ignoreAnnotations: true,
  plugins: [ownUrls],
  logLevel: 'silent',
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
      ...TEST_OPTIONS,
      entryPoints: [join(ROOT, path)],
      // The map's sources are relative to this file, which is where the runner resolves them.
      outfile: join(ROOT, path),
      allowOverwrite: true,
      conditions: [condition],
      sourcemap: output === 'map' ? 'external' : false,
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

/**
 * All test files under `dirs`, built in one go with code splitting and linked source maps
 * (read by the runner when it maps a failure's stack): served paths (`/test/unit/x.test.ts`, `/__chunks__/chunk-X.js`, each with `.map`)
 * to their text. Rejects when any file fails to build; {@link bundledTests} then builds
 * each file alone, so that a broken file fails only its own page.
 * @param {readonly string[]} dirs repository-relative
 * @returns {Promise<Map<string, string>>}
 */
async function buildTogether(dirs) {
  const lists = await Promise.all(
    dirs.map(async (dir) =>
      (await readdir(join(ROOT, dir), { recursive: true, encoding: 'utf8' }))
        .filter((file) => file.endsWith('.test.ts'))
        .map((file) => join(ROOT, dir, file)),
    ),
  );
  const { outputFiles } = await build({
    ...TEST_OPTIONS,
    entryPoints: lists.flat().sort(),
    outdir: ROOT,
    outbase: ROOT,
    splitting: true,
    chunkNames: `${CHUNKS}/[name]-[hash]`,
    // Each output names its map; an entry's is renamed below to follow its `.ts` URL.
    sourcemap: 'linked',
  });
  /** @type {Map<string, string>} */
  const served = new Map();
  for (const file of outputFiles) {
    // An entry's output is `<dir>/<name>.test.js`; it is served as the `.ts` it came from,
    // naming its map by that URL. Chunks keep their names.
    let path = `/${relative(ROOT, file.path).split(sep).join('/')}`;
    let text = file.text;
    const entry = !path.startsWith(`/${CHUNKS}/`);
    if (entry) path = path.replace(/\.test\.js(\.map)?$/, '.test.ts$1');
    if (entry && !path.endsWith('.map')) {
      text = text.replace(
        /\/\/# sourceMappingURL=\S+\s*$/,
        `//# sourceMappingURL=${encodeURIComponent(basename(path))}.map\n`,
      );
    }
    served.set(path, text);
  }
  return served;
}

/**
 * @param {{ dirs?: readonly string[] }} [options] `dirs`: where the run's test files are,
 *   built together at the first request for one of them
 * @returns {import('@web/dev-server-core').Middleware}
 */
export function bundledTests({ dirs = [] } = {}) {
  /** @type {Promise<Map<string, string> | undefined> | undefined} */
  let together;
  return async (ctx, next) => {
    if (
      ctx.path.startsWith(`/${CHUNKS}/`) ||
      /^\/test\/[\w/.-]+\.test\.ts(\.map)?$/.test(ctx.path)
    ) {
      together ??= buildTogether(dirs).catch((error) => {
        console.warn(`test files not built together (${error.message.split('\n')[0]}); one by one`);
        return undefined;
      });
      const text = (await together)?.get(ctx.path);
      if (text !== undefined) {
        ctx.type = ctx.path.endsWith('.map') ? 'json' : 'js';
        ctx.body = text;
        return;
      }
    }
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
