// Bundles the fixture widgets the way a widget author ships them: one minified ES module
// per page (SDK and penpal included), so frame start-up is not dominated by dev-server
// module requests.
import { build } from 'esbuild';
import { join } from 'node:path';

import { BUILD_DIR, ROOT } from './server.mjs';

const FIXTURES = ['pair', 'sdk-direct', 'ready', 'flood', 'hostile', 'raw'];

/** Builds `bench/.build/fixtures/*.js`; returns their sizes in bytes. */
export async function buildFixtures() {
  const result = await build({
    entryPoints: FIXTURES.map((name) => join(ROOT, 'bench', 'fixtures', `${name}.ts`)),
    outdir: join(BUILD_DIR, 'fixtures'),
    bundle: true,
    format: 'esm',
    target: 'es2022',
    minify: true,
    conditions: ['production'],
    metafile: true,
    logLevel: 'warning',
  });
  return Object.fromEntries(
    Object.entries(result.metafile.outputs).map(([file, out]) => [
      file.split('/').pop(),
      out.bytes,
    ]),
  );
}
