// @ts-check
// A reporter for `node --test` (the Node-side tests in test/node/): writes the real counts as
// JSON, `{ "passed": n, "failed": n, "skipped": n }`, for scripts/test.mjs to add to the
// summary. Suites are not tests: only leaf tests count (a file that fails to load counts as
// one failed test, as node's own summary does).
//
//   node --import tsx --test-reporter=spec --test-reporter-destination=stdout \
//     --test-reporter=./scripts/node-test-counts.mjs --test-reporter-destination=out.json \
//     --test <files>

/**
 * @param {AsyncIterable<{ type: string, data: any }>} source
 * @returns {AsyncGenerator<string>}
 */
export default async function* counts(source) {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for await (const { type, data } of source) {
    if (type !== 'test:pass' && type !== 'test:fail') continue;
    // A suite counts only when skipped as a whole (its tests are then never reported).
    if (data.details?.type === 'suite') {
      if (data.skip !== undefined) skipped++;
      continue;
    }
    // A todo test is a known gap: failing or not, it fails nothing (as node's exit code).
    if (data.skip !== undefined || data.todo !== undefined) skipped++;
    else if (type === 'test:fail') failed++;
    else passed++;
  }
  yield `${JSON.stringify({ passed, failed, skipped })}\n`;
}
