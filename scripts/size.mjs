// @ts-check
// Size budgets. The SDK ships inside every widget, so it has a hard budget: over it, this
// script exits 1. The host page's main-thread bundle has a budget too, reported as a
// warning (pass --strict to make it fail); the broker Worker is informational.
//
// Each entry is bundled the way an app's bundler would: esbuild, ESM, minified, ES2022,
// tree-shaken, every dependency included. `new Worker(new URL(...))` is left alone by
// esbuild, so the Worker is measured as its own entry, not as part of the host.
//
//   node scripts/size.mjs            budgets, and a breakdown for anything over budget
//   node scripts/size.mjs --verbose  breakdown for every bundle
//   node scripts/size.mjs --strict   the host budget fails too
import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';

const KIB = 1024;

/**
 * `budgetKiB` is today's line (a FAIL when `hard`, else a WARNING); `targetKiB` is where the
 * open issue wants it, reported until the line moves there.
 * @typedef {{ label: string, entry: string, contents?: string, budgetKiB?: number,
 *   hard?: boolean, targetKiB?: number }} Target
 */

// What a widget that only connects imports: everything in sdk/index.ts except the host
// service helpers (sdk/services.ts), which are tree-shaken away unless imported.
const SDK_CORE = `export { connect, Client, McError, PROTOCOL_VERSION, CONNECT_TIMEOUT_MS, REQUEST_TIMEOUT_MS } from './sdk/index.ts';`;

/** @type {Target[]} */
const TARGETS = [
  // ANCHORS.md's target is 5 KiB. penpal's child side alone is 3.4 KiB (its v6-compatibility
  // code included, which we cannot drop); the pre-handshake queue, host liveness, context
  // changes and host calls of issues 4 and 5 took the SDK to ~5.7 KiB. 6 KiB is the hard line.
  // Issue 10's target is 5.5 KiB; the hard line moves there once the SDK is below it.
  {
    label: 'SDK',
    entry: 'sdk/index.ts',
    contents: SDK_CORE,
    budgetKiB: 6,
    hard: true,
    targetKiB: 5.5,
  },
  // Every host service helper on top (autoResize, notify, confirm/alert, storage,
  // shortcuts): thin wrappers over client.call, measured at +0.57 KiB gzip over the core.
  // Budget: 0.6 KiB above the core's hard line; a widget pays only for what it imports.
  { label: 'SDK with all services', entry: 'sdk/index.ts', budgetKiB: 6.6, hard: true },
  // Issue 10's budget (it was an aspirational 20 before): validation the Worker can do leaves
  // the page. A warning until the host is below it, then a hard line.
  { label: 'Host (main thread)', entry: 'shell/index.ts', budgetKiB: 30, hard: false },
  { label: 'Broker worker', entry: 'shell/broker/broker-worker.ts' },
];

const args = new Set(process.argv.slice(2));
const verbose = args.has('--verbose');
const strict = args.has('--strict');

/** Groups a metafile input path: a package name, or the first two path segments. */
function groupOf(/** @type {string} */ input) {
  const pkg = input.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
  if (pkg) return pkg[1];
  return input.split('/').slice(0, 2).join('/');
}

/**
 * Bundles one entry and measures it.
 * @param {string} entry
 * @param {string} [contents] an entry module's source, when the entry is a selection of `entry`
 */
async function measure(entry, contents) {
  const result = await build({
    ...(contents
      ? {
          stdin: { contents, resolveDir: process.cwd(), loader: 'ts', sourcefile: 'size-entry.ts' },
        }
      : { entryPoints: [entry] }),
    bundle: true,
    minify: true,
    treeShaking: true,
    format: 'esm',
    target: 'es2022',
    platform: 'browser',
    write: false,
    metafile: true,
    logLevel: 'error',
  });
  const code = result.outputFiles[0].contents;
  const gzip = gzipSync(code, { level: 9 }).length;
  const output = Object.values(result.metafile.outputs)[0];
  /** @type {Map<string, number>} */
  const groups = new Map();
  for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
    const group = groupOf(input);
    groups.set(group, (groups.get(group) ?? 0) + bytesInOutput);
  }
  return { min: code.length, gzip, groups };
}

/** @param {number} bytes */
const kib = (bytes) => (bytes / KIB).toFixed(2);

let failed = false;
for (const target of TARGETS) {
  const { min, gzip, groups } = await measure(target.entry, target.contents);
  const budget = target.budgetKiB === undefined ? undefined : target.budgetKiB * KIB;
  const over = budget !== undefined && gzip > budget;
  const budgetText = budget === undefined ? 'no budget' : `budget ${kib(budget)} KiB`;
  console.log(
    `${target.label}: ${kib(gzip)} KiB min+gzip (${budgetText}) — ${kib(min)} KiB minified, ${target.entry}`,
  );
  if (over && budget !== undefined) {
    const fatal = target.hard || strict;
    failed ||= fatal;
    const verdict = fatal ? 'FAIL' : 'WARNING';
    console.log(`  ${verdict}: over budget by ${gzip - budget} bytes (gzip)`);
  }
  if (target.targetKiB !== undefined && gzip > target.targetKiB * KIB) {
    const by = gzip - target.targetKiB * KIB;
    console.log(`  target ${target.targetKiB} KiB (issue 10): ${by} bytes to go`);
  }
  if (over || verbose) {
    const rows = [...groups].filter(([, bytes]) => bytes > 0).sort((a, b) => b[1] - a[1]);
    for (const [group, bytes] of rows) {
      const share = ((bytes / min) * 100).toFixed(1).padStart(5);
      console.log(`    ${share}%  ${String(bytes).padStart(7)} B min  ${group}`);
    }
  }
}
process.exitCode = failed ? 1 : 0;
