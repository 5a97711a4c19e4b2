// @ts-check
// A reporter for `node --test` (test/node/ and test/server/): writes the real counts as
// JSON, `{ "passed": n, "failed": n, "skipped": n }`, for scripts/test.mjs to add to the
// summary. Suites are not tests: only leaf tests count (a file that fails to load counts as
// one failed test, as node's own summary does).
//
//   node --import tsx --test-reporter=spec --test-reporter-destination=stdout \
//     --test-reporter=./scripts/node-test-counts.mjs --test-reporter-destination=out.json \
//     --test <files>

/**
 * Also per file (`files`: each file's counts) and the failed tests by name (`failures`), so
 * that scripts/test.mjs can run a failed file once more and name what failed.
 * @param {AsyncIterable<{ type: string, data: any }>} source
 * @returns {AsyncGenerator<string>}
 */
export default async function* counts(source) {
  const total = { passed: 0, failed: 0, skipped: 0 };
  /** @type {Map<string, { file: string, passed: number, failed: number, skipped: number }>} */
  const files = new Map();
  /** @type {string[]} */
  const failures = [];
  for await (const { type, data } of source) {
    if (type !== 'test:pass' && type !== 'test:fail') continue;
    const file = data.file ?? '(unknown file)';
    const own = files.get(file) ?? { file, passed: 0, failed: 0, skipped: 0 };
    files.set(file, own);
    /** @param {'passed' | 'failed' | 'skipped'} key */
    const count = (key) => {
      total[key]++;
      own[key]++;
    };
    // A suite counts only when skipped as a whole (its tests are then never reported).
    if (data.details?.type === 'suite') {
      if (data.skip !== undefined) count('skipped');
      continue;
    }
    // A todo test is a known gap: failing or not, it fails nothing (as node's exit code).
    if (data.skip !== undefined || data.todo !== undefined) count('skipped');
    else if (type === 'test:fail') {
      count('failed');
      failures.push(`${file.split('/').pop()} > ${data.name}`);
    } else count('passed');
  }
  yield `${JSON.stringify({ ...total, files: [...files.values()], failures })}\n`;
}
