// @ts-check
// Fixture widgets as one bundled script each, for tests that mount hundreds of frames.
//
// A fixture page served by the test runner loads the SDK as a dozen modules, each compiled
// on request, plus the runner's own web-socket script (one socket per frame). Sandboxed
// frames have an opaque origin, so none of it is reused between mounts: the 1,000-cycle
// soak fetched ~13,000 files and opened 1,000 sockets. `/test/fixtures/bundled/<name>.html`
// is a page whose one script is `test/fixtures/<name>.ts` bundled by esbuild (built once,
// kept in memory), answered here before the runner's plugins can inject anything.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PREFIX = '/test/fixtures/bundled/';

/** @type {Map<string, Promise<string>>} */
const bundles = new Map();

/** @param {string} name */
function bundle(name) {
  let code = bundles.get(name);
  if (!code) {
    code = build({
      entryPoints: [join(ROOT, 'test/fixtures', `${name}.ts`)],
      bundle: true,
      format: 'esm',
      target: 'es2022',
      write: false,
      conditions: ['production'],
      logLevel: 'silent',
    }).then((result) => result.outputFiles[0].text);
    bundles.set(name, code);
  }
  return code;
}

/** @returns {import('@web/dev-server-core').Middleware} */
export function bundledFixtures() {
  return async (ctx, next) => {
    if (!ctx.path.startsWith(PREFIX)) return next();
    const match = /^([a-z][a-z0-9-]*)\.(html|js)$/.exec(ctx.path.slice(PREFIX.length));
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
      ctx.body = await bundle(name);
    }
  };
}
