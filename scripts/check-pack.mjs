// @ts-check
// What `npm publish` would upload, checked (one counted step of `npm test`, after the
// build): lists the tarball's files with `npm pack --dry-run --json` and fails on
//   - a file outside the published paths (dist/lib, dist/server, dist/vite, dist/types of
//     the published folders, dist/custom-elements.json, the exports and bin targets, and
//     npm's own README, LICENSE, package.json);
//   - tests, fixtures, CI files: a `test/`, `fixtures/`, `.ci/` or `coverage/` folder, a
//     `*.test.*` or `*.spec.*` file, a source map whose sources include any of those;
//   - test hooks in shipped code: members named `…ForTest(s|ing)` (the lint rule of
//     eslint.boundaries.js, once more on what the build made of the source);
// and on a required file missing: LICENSE, README.md, the `customElements` manifest, every
// `exports` and `bin` target. Run `npm run build` first. Exits 1 with every failure listed.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

/** Published folders and files, besides the exports and bin targets. */
const ALLOWED = [
  /^(?:LICENSE|README\.md|package\.json)$/,
  /^dist\/(?:lib|server|vite)\//,
  /^dist\/types\/(?:sdk|shell|server|vite-plugin|testing)\//,
  /^dist\/custom-elements\.json$/,
];
const TEST_PATH =
  /(?:^|\/)(?:test|tests|__tests__|fixtures?|\.ci|coverage)(?:\/|$)|\.(?:test|spec)\.[cm]?[jt]sx?(?:\.map)?$/;
const TEST_HOOK = /\b\w+For(?:Test|Tests|Testing)\b/;

/** Every file an `exports` entry or `bin` names (nested conditions included). */
function targets(/** @type {unknown} */ value) {
  if (typeof value === 'string') return [value.replace(/^\.\//, '')];
  if (value === null || typeof value !== 'object') return [];
  return Object.values(value).flatMap(targets);
}

const [packed] = JSON.parse(
  execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  }),
);
/** @type {string[]} */
const files = packed.files.map((/** @type {{ path: string }} */ f) => f.path);
const listed = new Set(files);
const entryTargets = [...targets(pkg.exports), ...targets(pkg.bin)];

/** @type {string[]} */
const failures = [];
for (const file of files) {
  if (TEST_PATH.test(file)) failures.push(`a test or CI file is packed: ${file}`);
  else if (!ALLOWED.some((re) => re.test(file)) && !entryTargets.includes(file)) {
    failures.push(`a file outside the published paths is packed: ${file}`);
  }
  if (/\.(?:[cm]?js|d\.ts)$/.test(file)) {
    const hook = TEST_HOOK.exec(readFileSync(join(ROOT, file), 'utf8'));
    if (hook) failures.push(`a test hook is shipped: ${hook[0]} in ${file}`);
  }
  if (file.endsWith('.map')) {
    /** @type {{ sources?: string[] }} */
    const map = JSON.parse(readFileSync(join(ROOT, file), 'utf8'));
    const tests = (map.sources ?? []).filter((source) => TEST_PATH.test(source));
    if (tests.length > 0) failures.push(`${file} maps test sources: ${tests.join(', ')}`);
  }
}
const required = ['LICENSE', 'README.md', 'package.json', ...entryTargets];
if (typeof pkg.customElements === 'string') required.push(pkg.customElements.replace(/^\.\//, ''));
else failures.push('package.json names no `customElements` manifest');
for (const file of new Set(required)) {
  if (!listed.has(file)) failures.push(`a required file is not packed: ${file}`);
}

const size = `${files.length} files, ${(packed.size / 1024).toFixed(0)} KiB packed, ${(packed.unpackedSize / 1024).toFixed(0)} KiB unpacked`;
if (failures.length > 0) {
  console.error(`package contents: FAILED (${size})\n  ${failures.join('\n  ')}`);
  process.exitCode = 1;
} else {
  console.log(
    `package contents: ${size}; no tests, fixtures or test hooks; ${new Set(required).size} required files present`,
  );
}
