// @ts-check
// A @web/test-runner reporter that writes the run's counts to a JSON file, so that
// scripts/test.mjs can add them to the one summary line. It prints nothing: the default
// reporter does the talking.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';

/** Where the counts go, relative to the working directory (the repo root under npm). */
export const WTR_RESULTS_FILE = '.ci/results/wtr.json';

/**
 * @typedef {import('@web/test-runner').TestSession} TestSession
 * @typedef {import('@web/test-runner').TestSuiteResult} TestSuiteResult
 * @typedef {{ test: string, ms: number }} Timing
 * @typedef {{ file: string, passed: number, failed: number, skipped: number, testsMs: number,
 *   doneAtMs: number }} FileTiming
 * @typedef {{ passed: number, failed: number, skipped: number, failures: string[],
 *   slowest: Timing[], testsMs?: number, files?: FileTiming[] }} Counts
 */

/** How many of the slowest tests the results file lists (to find what makes a run slow). */
const SLOWEST = 8;

/**
 * Counts one suite's tests, nested suites included.
 * @param {TestSuiteResult} suite
 * @param {string} prefix
 * @param {Counts} counts
 */
function countSuite(suite, prefix, counts) {
  const path = suite.name ? `${prefix}${suite.name} > ` : prefix;
  for (const test of suite.tests) {
    if (test.duration !== undefined)
      counts.slowest.push({ test: `${path}${test.name}`, ms: test.duration });
    if (test.skipped) counts.skipped++;
    else if (test.passed) counts.passed++;
    else {
      counts.failed++;
      counts.failures.push(`${path}${test.name}`);
    }
  }
  for (const child of suite.suites) countSuite(child, path, counts);
}

/**
 * Counts every test of every session. A session that broke outside its tests (the file
 * did not load, a hook threw, the browser never reported back) counts as one failure, so
 * that a file that ran no test can never look green.
 * @param {readonly TestSession[]} sessions
 * @returns {Counts}
 */
export function countSessions(sessions) {
  /** @type {Counts} */
  const counts = { passed: 0, failed: 0, skipped: 0, failures: [], slowest: [] };
  for (const session of sessions) {
    const before = counts.failed;
    const where = `${relative(process.cwd(), session.testFile)} [${session.browser.name}]`;
    if (session.testResults) countSuite(session.testResults, `${where} `, counts);
    const broken =
      session.errors.length > 0 ||
      session.status !== 'FINISHED' ||
      (session.passed === false && counts.failed === before);
    if (broken) {
      counts.failed++;
      const reason = session.errors[0]?.message ?? `session ${session.status.toLowerCase()}`;
      counts.failures.push(`${where}: ${reason}`);
    }
  }
  counts.slowest = counts.slowest.sort((a, b) => b.ms - a.ms).slice(0, SLOWEST);
  return counts;
}

/**
 * The reporter: `reporters: [defaultReporter(), countsReporter()]`. (Not WTR's own
 * `summaryReporter`, which prints a summary and writes no file.)
 * @param {{ file?: string }} [options]
 * @returns {import('@web/test-runner').Reporter}
 */
export function countsReporter({ file = WTR_RESULTS_FILE } = {}) {
  const target = resolve(file);
  /** @param {readonly TestSession[]} sessions */
  let started = Date.now();
  /** @type {FileTiming[]} */
  const files = [];
  /** @param {readonly TestSession[]} sessions */
  const write = (sessions) => {
    mkdirSync(dirname(target), { recursive: true });
    // Time inside tests against the run's wall time: what a file costs beyond its tests
    // (page, bundle, browser start) is where the suite's minutes go (issue 10, item 11).
    const testsMs = Math.round(files.reduce((sum, file) => sum + file.testsMs, 0));
    const counts = { ...countSessions(sessions), testsMs, files };
    writeFileSync(target, `${JSON.stringify(counts, null, 2)}\n`);
  };
  return {
    onTestRunStarted: () => {
      started = Date.now();
    },
    reportTestFileResults: ({ sessionsForTestFile, testFile }) => {
      let testsMs = 0;
      /** @param {TestSuiteResult | undefined} suite */
      const add = (suite) => {
        if (!suite) return;
        for (const test of suite.tests) testsMs += test.duration ?? 0;
        suite.suites.forEach(add);
      };
      for (const session of sessionsForTestFile) add(session.testResults);
      // Per file, so that npm test can run again the files that failed (scripts/test.mjs).
      const { passed, failed, skipped } = countSessions(sessionsForTestFile);
      files.push({
        file: relative(process.cwd(), testFile),
        passed,
        failed,
        skipped,
        testsMs: Math.round(testsMs),
        doneAtMs: Date.now() - started,
      });
    },
    onTestRunFinished: ({ sessions }) => write(sessions),
    // Also on stop, in case the run was cut short before it finished.
    stop: ({ sessions }) => write(sessions),
  };
}
