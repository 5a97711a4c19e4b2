// @ts-check
// `npm test`: the one test command, for developers and CI alike.
//
// Steps, in order: make sure the browsers exist (scripts/browsers.mjs: apt as root), the
// static checks (type checks, lint and its rules' tests, the Node-side tests of the code
// without a DOM in test/node/ with each test counted, format, size budgets, library build,
// the packed package: its contents, the API reference, publint, attw, a Vite-built consumer
// app and the README's quick starts in Chromium) with the server
// tests beside them, against real Redis and NATS (scripts/server-services.mjs: the machine's,
// or our own on free ports, installed with apt as root when missing), the
// browser tests (@web/test-runner, one run per engine in BROWSERS, all three by default) and
// the end-to-end tests (Playwright, in Chromium and Firefox as far as BROWSERS includes
// them): Chromium's alone, then Firefox's beside WebKitGTK's and the end-to-end tests after
// it (decision 0038). Every step runs even when an earlier one failed; output streams as it comes. Each
// static check counts as one test; the runners' own counts are read from the JSON files
// their reporters write under .ci/results/. The last line printed is the summary,
// `N passed, N failed` (`, N skipped` when any were), and the exit code is 1 when anything
// failed.
//
//   npm test                         everything, all three engines
//   BROWSERS=chromium npm test       one engine (a comma list picks several)
//   npm test -- --quick              no end-to-end tests
import { spawn } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, relative, resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';

import { ensureBrowsers, requestedEngines } from './browsers.mjs';
import { freePort, provideServices } from './server-services.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RESULTS_DIR = join(ROOT, '.ci/results');
const PLAYWRIGHT_RESULTS = join(RESULTS_DIR, 'playwright.json');
const NODE_RESULTS = join(RESULTS_DIR, 'node.json');
const SERVER_RESULTS = join(RESULTS_DIR, 'server.json');
const PLAYWRIGHT_CONFIG = join(ROOT, 'playwright.config.ts');

const quick = process.argv.includes('--quick');

/** The engines the Playwright e2e tests run in (Playwright cannot drive Debian's WebKit). */
const E2E_ENGINES = ['chromium', 'firefox'];

/** @typedef {{ passed: number, failed: number, skipped: number }} Counts */
/** @typedef {Counts & { name: string, seconds: number, cores?: number, note?: string }} StepResult */

/** @type {StepResult[]} */
const results = [];

/** A binary from node_modules/.bin, so that this works without npx or npm's PATH. */
const bin = (/** @type {string} */ name) => join(ROOT, 'node_modules/.bin', name);
/**
 * The type checks run on TypeScript 7 (the native compiler, package.json's `tsgo` alias):
 * the five projects take ~20 s instead of ~80 s beside the server tests. TypeScript 5.9 stays
 * `typescript` for the tools that need its compiler API (typescript-eslint, typedoc) and for
 * the published declarations (scripts/build.mjs). Both own a `tsc` bin, so neither is called
 * through node_modules/.bin.
 */
const TSGO = join(ROOT, 'node_modules/tsgo/bin/tsc');

/**
 * Runs a command with inherited stdio, or with its output into `logFile` (for a step that
 * runs beside another); resolves to its exit code (never rejects).
 * @param {string} command
 * @param {string[]} args
 * @param {NodeJS.ProcessEnv} [env]
 * @param {string} [logFile]
 * @returns {Promise<number>}
 */
function run(command, args, env = process.env, logFile = undefined) {
  return new Promise((resolve) => {
    const out = logFile === undefined ? 'inherit' : openSync(logFile, 'w');
    const child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', out, out], env });
    if (typeof out === 'number') child.on('close', () => closeSync(out));
    child.on('error', (error) => {
      console.error(`could not start ${command}: ${error.message}`);
      resolve(127);
    });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

/**
 * The machine's CPU time so far (Linux: /proc/stat's first line, in clock ticks), busy and
 * in all; null elsewhere.
 * @returns {{ busy: number, total: number } | null}
 */
function cpuTicks() {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/);
    const ticks = fields.slice(1).map(Number);
    const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0); // idle + iowait
    const total = ticks.reduce((sum, n) => sum + n, 0);
    return { busy: total - idle, total };
  } catch {
    return null;
  }
}

/**
 * A stopwatch for a step: its wall time, and how many of the machine's cores were busy on
 * average meanwhile (with whatever ran beside it). Where the suite's minutes go is a matter
 * of both: a step at 2.0 of 2 cores is bound by CPU, one at 0.5 mostly waits (issue 10,
 * item 11).
 */
function stopwatch() {
  const start = performance.now();
  const before = cpuTicks();
  return () => {
    const seconds = (performance.now() - start) / 1000;
    const after = cpuTicks();
    const cores =
      before && after && after.total > before.total
        ? ((after.busy - before.busy) / (after.total - before.total)) * availableParallelism()
        : undefined;
    return { seconds, cores };
  };
}

/** @param {string} title */
function banner(title) {
  console.log(`\n━━ ${title} ━━`);
}

/** @param {StepResult} result */
function record(result) {
  results.push(result);
  const mark = result.failed > 0 ? '✖' : '✔';
  const counts = `${result.passed} ok / ${result.failed} failed / ${result.skipped} skipped`;
  const note = result.note ? ` — ${result.note}` : '';
  console.log(`${mark} ${result.name}: ${counts} (${timing(result)})${note}`);
}

/**
 * A wall time, and the cores busy meanwhile where known.
 * @param {{ seconds: number, cores?: number }} time
 */
function timing({ seconds, cores }) {
  const busy = cores === undefined ? '' : `, ${cores.toFixed(1)} cores busy`;
  return `${seconds.toFixed(1)} s${busy}`;
}

/**
 * One static check: one test, passed when the command exits 0.
 * @param {string} name
 * @param {string} command
 * @param {string[]} args
 */
async function check(name, command, args) {
  banner(name);
  const stop = stopwatch();
  const code = await run(command, args);
  const failed = code === 0 ? 0 : 1;
  record({ name, passed: 1 - failed, failed, skipped: 0, ...stop() });
}

/**
 * Reads a counts file a runner's reporter wrote; null when it is missing or unreadable.
 * @param {string} file
 * @param {(json: any) => Counts} pick
 * @returns {Counts | null}
 */
function readCounts(file, pick) {
  try {
    const counts = pick(JSON.parse(readFileSync(file, 'utf8')));
    const valid = Object.values(counts).every((n) => Number.isInteger(n) && n >= 0);
    return valid ? counts : null;
  } catch {
    return null;
  }
}

/**
 * What a results file says beyond its counts (flaky tests), or undefined.
 * @param {string} file
 * @param {(json: any) => string | undefined} noteOf
 */
function readNote(file, noteOf) {
  try {
    return noteOf(JSON.parse(readFileSync(file, 'utf8')));
  } catch {
    return undefined;
  }
}

/**
 * A test runner step: its counts come from its JSON results; its exit code is cross-checked
 * so that a runner that failed without failing a test (a config error, a crash, no tests)
 * still counts as one failure. With `logFile`, its output goes there and is printed when it
 * ends (it runs beside a step that streams).
 * With `rerunFailed`, a run whose failures it can attribute gets one more try of those
 * (see {@link rerunFailedFiles}); the counts it returns replace the first run's.
 * @param {{ name: string, command: string, args: string[], file: string,
 *   pick: (json: any) => Counts, env?: NodeJS.ProcessEnv, logFile?: string,
 *   rerunCrash?: boolean, noteOf?: (json: any) => string | undefined,
 *   rerunFailed?: (counts: Counts) => Promise<{ counts: Counts, code: number, note: string }
 *     | undefined> }} step
 */
async function runner({
  name,
  command,
  args,
  file,
  pick,
  env,
  logFile,
  rerunCrash = false,
  rerunFailed,
  noteOf,
}) {
  if (logFile === undefined) banner(name);
  else console.log(`\n(${name} runs in the background; its output follows when it ends)`);
  rmSync(file, { force: true });
  const stop = stopwatch();
  /** @type {string[]} */
  const notes = [];
  let code = await run(command, args, env, logFile);
  if (rerunCrash && code !== 0 && !existsSync(file)) {
    // The runner itself died mid-run, silently, with no test failed and no results (seen
    // once with WebKitGTK's run beside the end-to-end tests): run it again, once, and say so
    // in the summary. A failing test writes its results and is never run again.
    if (logFile !== undefined) {
      banner(`${name}, first run`);
      process.stdout.write(readFileSync(logFile, 'utf8'));
    }
    console.log(`\n${name}: exited with code ${code} and no results; running it again, once`);
    notes.push(`the first run exited with code ${code} and no results`);
    code = await run(command, args, env, logFile);
  }
  if (logFile !== undefined) {
    banner(name);
    process.stdout.write(readFileSync(logFile, 'utf8'));
  }
  let counts = readCounts(file, pick) ?? { passed: 0, failed: 0, skipped: 0 };
  if (!existsSync(file)) notes.push(`no results file ${file.slice(ROOT.length)}`);
  const said = noteOf === undefined ? undefined : readNote(file, noteOf);
  if (said) notes.push(said);
  const again = counts.failed > 0 ? await rerunFailed?.(counts) : undefined;
  if (again) {
    ({ counts, code } = again);
    notes.push(again.note);
  }
  const { seconds, cores } = stop();
  if (code !== 0 && counts.failed === 0) {
    counts.failed = 1;
    notes.push(`exited with code ${code}`);
  } else if (code === 0 && counts.passed + counts.failed === 0) {
    counts.failed = 1;
    notes.push('ran no test');
  }
  record({ name, ...counts, seconds, cores, note: notes.join('; ') || undefined });
}

/** One engine's wtr results (two engines run at once, each writes its own). */
const wtrResults = (/** @type {string} */ engine) => join(RESULTS_DIR, `wtr-${engine}.json`);

/**
 * Prints one engine's failed tests by name and its slowest tests, to see where an engine's
 * time goes; before a re-run of failed files overwrites them, keeps its first run's results
 * as `.ci/results/wtr-<engine>-first.json`.
 * @param {string} engine
 * @param {boolean} [keep]
 */
function reportEngineResults(engine, keep = false) {
  const file = wtrResults(engine);
  if (!existsSync(file)) return;
  const text = readFileSync(file, 'utf8');
  if (keep) writeFileSync(join(RESULTS_DIR, `wtr-${engine}-first.json`), text);
  try {
    /** @type {{ slowest?: Array<{ test: string, ms: number }>, failures?: string[] }} */
    const { slowest = [], failures = [] } = JSON.parse(text);
    // The default reporter's failure text can scroll away or be cut from a long CI log:
    // the names again, next to the engine's counts, say which test to look at.
    for (const test of failures) console.log(`  failed: ${test}`);
    for (const { test, ms } of slowest.slice(0, 3)) {
      console.log(`  slow: ${(ms / 1000).toFixed(1).padStart(5)} s  ${test}`);
    }
  } catch {
    // An unreadable file is already counted as a failure by runner().
  }
}

/**
 * The `*.test.ts` files under `dir` (Node 20's `--test` finds only `.js` files by itself).
 * @param {string} dir repository-relative
 */
function nodeTestFiles(dir) {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.test.ts'))
    .sort()
    .map((file) => join(dir, file));
}

const suite = stopwatch();
mkdirSync(RESULTS_DIR, { recursive: true });
rmSync(join(RESULTS_DIR, 'summary.json'), { force: true });

banner('browsers');
/** @param {string[] | undefined} engines */
function tryEnsure(engines) {
  try {
    return ensureBrowsers(engines);
  } catch (error) {
    console.error(`installing browsers failed: ${error instanceof Error ? error.message : error}`);
    return false;
  }
}
// The engines BROWSERS asks for (all three by default). The e2e tests run in those of them
// that Playwright drives here (Chromium, Firefox); a missing WebKit must not also cost them.
/** @type {import('./browsers.mjs').Engine[]} */
let engines = [];
try {
  engines = requestedEngines();
} catch {
  // An unknown name in BROWSERS: tryEnsure below says which and counts it as a failure.
}
const e2eEngines = engines.filter((engine) => E2E_ENGINES.includes(engine));
const browsersReady = tryEnsure(undefined);
const e2eReady = browsersReady || tryEnsure(e2eEngines);
if (browsersReady) console.log('Browsers are available.');
else record({ name: 'browsers', passed: 0, failed: 1, skipped: 0, seconds: 0, note: 'missing' });

/** At most this many files of one run are run again after a failure; more is a breakage. */
const MAX_RERUN_FILES = 3;

/**
 * One more try of the few test files whose tests failed. Real browsers and real servers on
 * two shared cores miss a deadline now and then (1 failure in ~1,500 tests in most CI runs, a
 * different test each time); a test that fails twice in a row still fails the run. Both runs
 * are printed, and the step's note names every test that failed once, so a flaky test stays
 * visible. Playwright's `retries: 1` does the same for the end-to-end tests. Nothing is run
 * again when a failure cannot be tied to a file or too many files failed.
 * @param {Counts} first the first run's counts
 * @param {string} resultsFile the runner's results: counts, `files` (each with its counts)
 *   and `failures` (names), read before the second run overwrites them
 * @param {(files: string[]) => Promise<number>} runAgain runs those files; its exit code
 * @returns {Promise<{ counts: Counts, code: number, note: string } | undefined>}
 */
async function rerunFailedFiles(first, resultsFile, runAgain) {
  /** @type {{ files?: Array<Counts & { file: string }>, failures?: string[] }} */
  const results = JSON.parse(readFileSync(resultsFile, 'utf8'));
  const failedFiles = (results.files ?? []).filter((file) => file.failed > 0);
  const attributed = failedFiles.reduce((sum, file) => sum + file.failed, 0);
  if (failedFiles.length === 0 || failedFiles.length > MAX_RERUN_FILES) return undefined;
  if (attributed !== first.failed) return undefined;
  const names = failedFiles.map((file) => file.file);
  const code = await runAgain(names);
  const again = readCounts(resultsFile, ({ passed, failed, skipped }) => ({
    passed,
    failed,
    skipped,
  }));
  if (again === null) return undefined;
  const sum = (/** @type {'passed' | 'failed' | 'skipped'} */ key) =>
    failedFiles.reduce((total, file) => total + file[key], 0);
  const counts = {
    passed: first.passed - sum('passed') + again.passed,
    failed: first.failed - sum('failed') + again.failed,
    skipped: first.skipped - sum('skipped') + again.skipped,
  };
  const once = (results.failures ?? []).join(' | ');
  const outcome = again.failed === 0 ? 'passed when run again (flaky)' : 'failed again';
  const shown = names.map((name) => relative(ROOT, resolvePath(ROOT, name)));
  return { counts, code, note: `${shown.join(', ')} ${outcome}; failed once: ${once}` };
}

// The server (server/): the engine conformance suite against embedded, Redis and NATS, the
// fault tests, the CLI over real HTTP. Real services only (scripts/server-services.mjs): the
// machine's when they answer, else our own on free ports. One that cannot be had leaves its
// engine out, said in the step's note; under CI that counts as a failure. They run beside the
// static checks, which keep one core busy at a time while the server tests mostly wait on
// sockets and child processes (about a minute saved); their output follows when they end.
async function serverTests() {
  const services = await provideServices();
  for (const what of services.missing) console.log(`server services missing: ${what}`);
  try {
    const nodeArgs = [
      '--import',
      'tsx',
      '--test-reporter=spec',
      '--test-reporter-destination=stdout',
      '--test-reporter=./scripts/node-test-counts.mjs',
      `--test-reporter-destination=${SERVER_RESULTS}`,
      // Three files at a time: they mostly wait (sockets, child processes, restarts). With
      // the app backends' tests, two at a time took 306 s beside the static checks (~270 s),
      // the longest step of the run; alone, four at a time took 129 s.
      '--test-concurrency=3',
      '--test',
    ];
    const env = { ...process.env, ...services.env };
    const logFile = join(RESULTS_DIR, 'server.log');
    await runner({
      name: 'server tests',
      command: process.execPath,
      args: [...nodeArgs, ...nodeTestFiles('test/server')],
      file: SERVER_RESULTS,
      env,
      pick: ({ passed, failed, skipped }) => ({ passed, failed, skipped }),
      logFile,
      rerunFailed: (counts) =>
        rerunFailedFiles(counts, SERVER_RESULTS, async (files) => {
          const rerunLog = logFile.replace(/\.log$/, '-rerun.log');
          const code = await run(process.execPath, [...nodeArgs, ...files], env, rerunLog);
          banner('server tests, failed files once more');
          process.stdout.write(readFileSync(rerunLog, 'utf8'));
          return code;
        }),
    });
  } finally {
    services.stop();
  }
  if (services.missing.length > 0) {
    const missing = `not tested: ${services.missing.join('; ')}`;
    const failed = process.env.CI ? 1 : 0;
    record({
      name: 'server services',
      passed: 0,
      failed,
      skipped: 1 - failed,
      seconds: 0,
      note: missing,
    });
  }
}
// A step that throws must count as a failure, never end the script without its summary.
const serverStep = serverTests().catch((error) => {
  console.error(`server tests could not run: ${error}`);
  record({ name: 'server tests', passed: 0, failed: 1, skipped: 0, seconds: 0 });
});

await check('typecheck', TSGO, ['--noEmit', '-p', '.']);
// The broker, shared/, the model and the protocol once more, without the DOM's types.
await check('typecheck (no DOM)', TSGO, ['--noEmit', '-p', 'tsconfig.no-dom.json']);
// The Node-side tests (test/node/), with Node's types; that they use no DOM is proven by
// running them under Node, the model's by the no-DOM check above.
await check('typecheck (node tests)', TSGO, ['--noEmit', '-p', 'tsconfig.node.json']);
// The server and its tests, with Node's types and no DOM.
await check('typecheck (server)', TSGO, ['--noEmit', '-p', 'tsconfig.server.json']);
// The sample backends against microcanvas/backend alone, as an app's backend sees it.
await check('typecheck (sample backends)', TSGO, ['--noEmit', '-p', 'tsconfig.backends.json']);
await check('lint', bin('eslint'), ['.']);
// Each dependency rule against a snippet in a forbidden position, so none rots unseen.
await check('lint rules', process.execPath, ['--test', 'test/lint/']);
// The code that runs without a DOM (the canvas model, policies), under Node with tsx; each
// test counts (scripts/node-test-counts.mjs writes the counts beside node's own output).
// Before the format check, beside the other quick checks: it takes about 2 s.
await runner({
  name: 'node tests',
  command: process.execPath,
  args: [
    '--import',
    'tsx',
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    '--test-reporter=./scripts/node-test-counts.mjs',
    `--test-reporter-destination=${NODE_RESULTS}`,
    '--test',
    ...nodeTestFiles('test/node'),
  ],
  file: NODE_RESULTS,
  pick: ({ passed, failed, skipped }) => ({ passed, failed, skipped }),
});
await check('format', bin('prettier'), ['--check', '.']);
await check('size', process.execPath, ['scripts/size.mjs']);
await check('build', process.execPath, ['scripts/build.mjs', '--fast']);
// What `npm publish` would upload: the published paths only, no tests or test hooks, every
// required file (scripts/check-pack.mjs).
await check('package contents', process.execPath, ['scripts/check-pack.mjs']);
// The API reference (typedoc.config.mjs) builds, without writing it, and no public signature
// names a type that no entry exports beyond the listed ones (about 20 s).
await check('API reference', bin('typedoc'), ['--emit', 'none']);
// The packed package, as an app gets it (package.json's check:package runs these three and
// the contents check).
await check('publint', bin('publint'), ['--strict']);
await check('attw', bin('attw'), ['--pack', '.', '--profile', 'esm-only']);
await check('consumer app', process.execPath, ['test/consumer/run.mjs']);
// The README's host and widget quick starts, in a new folder, from the packed package.
await check('README quick starts', process.execPath, ['test/quickstart/run.mjs']);

await serverStep;

const e2eRuns = !quick && existsSync(PLAYWRIGHT_CONFIG) && e2eEngines.length > 0 && e2eReady;

/**
 * One engine's browser tests.
 * @param {import('./browsers.mjs').Engine} engine
 * @param {string} [logFile] its output, when it runs beside another step
 */
async function browserTests(engine, logFile) {
  let reported = false;
  const file = wtrResults(engine);
  const port = String(await freePort());
  const env = { ...process.env, BROWSERS: engine, MC_WTR_RESULTS: file, MC_WTR_PORT: port };
  await runner({
    name: `browser tests (wtr, ${engine})`,
    command: bin('wtr'),
    args: [],
    file,
    env,
    pick: ({ passed, failed, skipped }) => ({ passed, failed, skipped }),
    logFile,
    rerunCrash: true,
    rerunFailed: (counts) => {
      reported = true;
      reportEngineResults(engine, true);
      return rerunFailedFiles(counts, file, async (names) => {
        const title = `browser tests (wtr, ${engine}), failed files once more`;
        const rerunLog = logFile?.replace(/\.log$/, '-rerun.log');
        if (rerunLog === undefined) banner(title);
        const code = await run(
          bin('wtr'),
          names.flatMap((name) => ['--files', name]),
          env,
          rerunLog,
        );
        if (rerunLog !== undefined) {
          banner(title);
          process.stdout.write(readFileSync(rerunLog, 'utf8'));
        }
        return code;
      });
    },
  });
  // After a re-run, the file holds the re-run's results: the first run's were reported.
  if (!reported) reportEngineResults(engine);
}

/**
 * Runs a step that may throw; a throw counts as a failure of `name`, and never ends the
 * script without its summary.
 * @param {string} name
 * @param {() => Promise<void>} step
 */
async function guarded(name, step) {
  try {
    await step();
  } catch (error) {
    console.error(`${name} could not run: ${error}`);
    record({ name, passed: 0, failed: 1, skipped: 0, seconds: 0 });
  }
}

/** The end-to-end tests, or a line saying why they do not run. */
async function endToEndTests() {
  if (quick) {
    console.log('\n(--quick: end-to-end tests skipped)');
  } else if (!existsSync(PLAYWRIGHT_CONFIG)) {
    console.log('\n(no playwright.config.ts yet: end-to-end tests skipped, not counted)');
  } else if (e2eEngines.length === 0) {
    console.log(`\n(BROWSERS=${engines.join(',')}: no engine the end-to-end tests run in)`);
  } else if (e2eRuns) {
    await runner({
      name: `end-to-end tests (playwright, ${e2eEngines.join(', ')})`,
      command: bin('playwright'),
      // Projects are named <engine>-<server> (playwright.config.ts).
      args: ['test', ...e2eEngines.map((engine) => `--project=${engine}-*`)],
      file: PLAYWRIGHT_RESULTS,
      // The JSON reporter in playwright.config.ts writes here; the variable makes sure of it.
      env: { ...process.env, PLAYWRIGHT_JSON_OUTPUT_FILE: PLAYWRIGHT_RESULTS },
      pick: ({ stats }) => ({
        passed: stats.expected + stats.flaky,
        failed: stats.unexpected,
        skipped: stats.skipped,
      }),
      // A test that passed only on its retry (playwright.config.ts) is named in the list above.
      noteOf: ({ stats }) =>
        stats.flaky > 0 ? `${stats.flaky} passed on retry (flaky)` : undefined,
    });
  }
}

// The schedule (decision 0038). Chromium's browser tests alone: its two concurrent pages keep
// both cores busy (1.9), and anything beside them starves their frames into deadline flakes.
// Then two lanes: Firefox's (one page, 1.4 cores busy alone: its tests mostly wait on
// deadlines) beside WebKitGTK's (one page, 0.9 cores alone) and, once that ends, the
// end-to-end tests (1.6 cores alone). Measured alone on this machine: Firefox 236 s,
// WebKitGTK 129 s, e2e 210 s; WebKitGTK beside the e2e tests took 288 s, Firefox beside
// WebKitGTK 274 and 189 s.
const wtrEngines = browsersReady ? engines : [];
if (wtrEngines.includes('chromium')) {
  await guarded('browser tests (wtr, chromium)', () => browserTests('chromium'));
}
const firefox = wtrEngines.includes('firefox');
const firefoxLane = firefox
  ? guarded('browser tests (wtr, firefox)', () =>
      browserTests('firefox', join(RESULTS_DIR, 'wtr-firefox.log')),
    )
  : Promise.resolve();
const otherLane = (async () => {
  if (wtrEngines.includes('webkit')) {
    const log = firefox ? join(RESULTS_DIR, 'wtr-webkit.log') : undefined;
    await guarded('browser tests (wtr, webkit)', () => browserTests('webkit', log));
  }
  await guarded('end-to-end tests', endToEndTests);
})();
await Promise.all([firefoxLane, otherLane]);

const total = results.reduce(
  (sum, r) => ({
    passed: sum.passed + r.passed,
    failed: sum.failed + r.failed,
    skipped: sum.skipped + r.skipped,
  }),
  { passed: 0, failed: 0, skipped: 0 },
);
const { seconds, cores } = suite();
writeFileSync(
  join(RESULTS_DIR, 'summary.json'),
  `${JSON.stringify({ ...total, seconds, cores, steps: results }, null, 2)}\n`,
);

banner(`summary (${timing({ seconds, cores })})`);
for (const r of results) {
  const mark = r.failed > 0 ? '✖' : '✔';
  const busy = r.cores === undefined ? '' : `  ${r.cores.toFixed(1)} cores`;
  console.log(`${mark} ${r.name.padEnd(30)} ${r.seconds.toFixed(1).padStart(6)} s${busy}`);
}
const skipped = total.skipped > 0 ? `, ${total.skipped} skipped` : '';
// The last line: CI reads it. Nothing may print after it.
console.log(`${total.passed} passed, ${total.failed} failed${skipped}`);
process.exitCode = total.failed > 0 ? 1 : 0;
