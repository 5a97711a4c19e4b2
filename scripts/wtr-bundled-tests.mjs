// @ts-check
// Each test file as one bundled script.
//
// Served module by module, a test page made ~200 requests (lit, zod/mini's many files,
// penpal, comlink, the shell) and each engine compiled that graph again for each of the
// ~30 files, and again for the broker Worker each page starts. Here `/test/**/*.test.ts`
// and the Worker's entry are answered with the file bundled by esbuild (built once per run,
// kept in memory), before the runner's own transforms.
//
// `import.meta.url` in project sources is replaced by the source's own URL, so that
// `new URL('../broker/broker-worker.ts', import.meta.url)` still finds the Worker's module.
import { build } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

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

/** @param {string} path the test file, relative to the root */
function bundle(path) {
  let code = bundles.get(path);
  if (!code) {
    code = build({
      entryPoints: [join(ROOT, path)],
      bundle: true,
      format: 'esm',
      target: 'es2022',
      write: false,
      conditions: ['production'],
      tsconfig: join(ROOT, 'tsconfig.json'),
      plugins: [ownUrls],
      // Failures point at the sources, not into the bundle.
      sourcemap: 'inline',
      logLevel: 'silent',
    }).then((result) => result.outputFiles[0].text);
    // A failed build is not kept: the next request tries again. (Bundles live as long as
    // the server: with `--watch`, restart it to see source changes.)
    code.catch(() => bundles.delete(path));
    bundles.set(path, code);
  }
  return code;
}

/** @returns {import('@web/dev-server-core').Middleware} */
export function bundledTests() {
  return async (ctx, next) => {
    const entry =
      /^\/test\/[\w/.-]+\.test\.ts$/.test(ctx.path) ||
      ctx.path === '/shell/broker/broker-worker.ts';
    if (!entry || ctx.path.includes('..')) return next();
    ctx.type = 'js';
    ctx.body = await bundle(ctx.path.slice(1));
  };
}
