// @ts-check
// `npm run build`: the library. JavaScript from vite (vite.lib.config.ts) into dist/lib,
// declarations from tsc (tsconfig.build.json) into dist/types, the server's bin into
// dist/server and the Vite plugin into dist/vite (scripts/build-server.mjs), the Custom
// Elements Manifest into dist/custom-elements.json, then a check that a strict
// consumer project (`skipLibCheck: false`) type-checks against the published declarations.
// That the exports map's files exist and resolve per condition is publint's and attw's job
// on the packed package (`npm run check:package`, and steps of `npm test`).
//
//   node scripts/build.mjs             build and check (consumer with bundler and nodenext)
//   node scripts/build.mjs --fast      build and check, consumer with bundler only (npm test)
//   node scripts/build.mjs --no-check  build only
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { buildServer, buildVitePlugin } from './build-server.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const bin = (/** @type {string} */ name) => join(ROOT, 'node_modules/.bin', name);
/**
 * TypeScript 5.9 by path: the declarations and the consumer's check use the compiler that
 * typescript-eslint and typedoc use too; node_modules/.bin/tsc may be TypeScript 7's (the
 * `tsgo` alias that npm test type-checks with owns a `tsc` bin as well).
 */
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

/**
 * Runs a command; exits the script when it fails.
 * @param {string} command
 * @param {string[]} args
 * @param {string} [cwd]
 */
function step(command, args, cwd = ROOT) {
  const result = spawnSync(command, args, { cwd, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`build: \`${[command, ...args].join(' ')}\` failed`);
    process.exit(result.status ?? 1);
  }
}

rmSync(join(ROOT, 'dist/lib'), { recursive: true, force: true });
rmSync(join(ROOT, 'dist/types'), { recursive: true, force: true });
rmSync(join(ROOT, 'dist/server'), { recursive: true, force: true });
rmSync(join(ROOT, 'dist/vite'), { recursive: true, force: true });
rmSync(join(ROOT, 'dist/custom-elements.json'), { force: true });
step(bin('vite'), ['build', '--config', 'vite.lib.config.ts', '--logLevel', 'warn']);
// The development build (the exports map's `development` condition), then proof that only it
// carries the SDK's dev-mode code (docs/decisions/0025-dev-mode.md).
step(bin('vite'), [
  'build',
  ...['--config', 'vite.lib.config.ts', '--mode', 'development', '--logLevel', 'warn'],
]);
checkDevMode();
step(TSC, ['-p', 'tsconfig.build.json']);
step(TSC, ['-p', 'tsconfig.build-server.json']);
// The `microcanvas-server` bin (scripts/build-server.mjs).
await buildServer();
// The `microcanvas/vite` plugin (scripts/build-server.mjs).
await buildVitePlugin();
// dist/custom-elements.json, package.json's `customElements`: the shell's elements, their
// attributes, properties, events, slots and CSS parts, for editors and catalogues.
step(bin('cem'), ['analyze', '--config', 'custom-elements-manifest.config.mjs', '--quiet']);

if (process.argv.includes('--no-check')) process.exit(0);

/**
 * The SDK's development build warns and explains; its production build must carry none of
 * that. The marker is a sentence of sdk/dev/development.ts.
 */
function checkDevMode() {
  const MARKER = 'microcanvas development build';
  const sdk = (/** @type {string} */ dir) => readFileSync(join(ROOT, dir, 'sdk.js'), 'utf8');
  // Chunks shared between entries hold the code: read every file the entry imports too.
  const withChunks = (/** @type {string} */ dir) => {
    const entry = sdk(dir);
    const chunks = [...entry.matchAll(/from ["']\.\/(chunks\/[^"']+)["']/g)].map((m) =>
      readFileSync(join(ROOT, dir, m[1]), 'utf8'),
    );
    return [entry, ...chunks].join('\n');
  };
  if (withChunks('dist/lib').includes(MARKER)) {
    console.error('build: dist/lib/sdk.js carries development-only code');
    process.exit(1);
  }
  if (!withChunks('dist/lib/development').includes(MARKER)) {
    console.error('build: dist/lib/development/sdk.js lacks the development build');
    process.exit(1);
  }
  console.log('build: dev-mode code only in dist/lib/development');
}

// A consumer imports every entry through the package name, as an app would, with the
// strictest settings an app may have; `nodenext` also proves the `.ts`-suffixed relative
// imports inside the declarations resolve.
const consumer = mkdtempSync(join(tmpdir(), 'microcanvas-consumer-'));
try {
  mkdirSync(join(consumer, 'node_modules'));
  symlinkSync(ROOT, join(consumer, 'node_modules', pkg.name), 'dir');
  writeFileSync(join(consumer, 'package.json'), JSON.stringify({ type: 'module' }));
  // A types-only entry (no `default`: `microcanvas/vite/client`, the plugin's virtual module)
  // is referenced as an app references it, and the module it declares is imported.
  const entries = Object.entries(pkg.exports);
  const references = entries
    .filter(([, target]) => target.default === undefined)
    .map(([entry]) => `/// <reference types="${pkg.name}${entry.slice(1)}" />`);
  const imports = entries
    .filter(([, target]) => target.default !== undefined)
    .map(([entry], i) => `import * as e${i} from '${pkg.name}${entry.slice(1)}';\nvoid e${i};`);
  const widgets = "import { widgets } from 'virtual:microcanvas/widgets';\nvoid widgets;";
  writeFileSync(
    join(consumer, 'main.ts'),
    `${[...references, ...imports, widgets].join('\n')}\nexport {};\n`,
  );
  // Each consumer check costs ~8 s of CPU (it type-checks lit's and zod's declarations).
  const modes = process.argv.includes('--fast') ? ['bundler'] : ['bundler', 'nodenext'];
  for (const moduleResolution of modes) {
    const compilerOptions = {
      strict: true,
      target: 'es2022',
      module: moduleResolution === 'bundler' ? 'esnext' : 'nodenext',
      moduleResolution,
      lib: ['es2023', 'dom', 'dom.iterable'],
      types: [],
      noEmit: true,
      skipLibCheck: false,
    };
    writeFileSync(
      join(consumer, 'tsconfig.json'),
      JSON.stringify({ compilerOptions, files: ['main.ts'] }),
    );
    console.log(`build: type-checking a consumer (moduleResolution ${moduleResolution})`);
    step(TSC, ['-p', '.'], consumer);
  }
} finally {
  rmSync(consumer, { recursive: true, force: true });
}
console.log(`build: a strict consumer type-checks (${Object.keys(pkg.exports).join(', ')})`);
