// `npm run bench`: one headless Chromium run, microcanvas beside raw baselines in the same
// page; prints a table of same-run ratios and writes bench/results/latest.json.
// Options: --quick (smaller counts, a smoke run), --only=profile,rtt,devtools,burst,flood,mount,
// --repeats=N (burst repeats, default 5), --runs=N (N whole runs, each in a fresh browser;
// prints every run's report, then each ratio per run with its median and min–max),
// --trace (writes a Chromium trace with CPU samples to bench/results/trace.json; read it with
// `node bench/analyze-trace.mjs` or in Perfetto; best with --only, traces are large).
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';

import { chromium } from 'playwright';

import { CHROMIUM_ARGS, chromiumPath, ensureBrowsers } from '../scripts/browsers.mjs';
import { buildFixtures } from './build.mjs';
import { formatReport, summarizeRuns } from './report.mjs';
import { ROOT, startServer } from './server.mjs';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const trace = args.includes('--trace');
const only = args
  .find((a) => a.startsWith('--only='))
  ?.slice(7)
  .split(',');
const repeats = Number(args.find((a) => a.startsWith('--repeats='))?.slice(10));
const runCount = Math.max(1, Number(args.find((a) => a.startsWith('--runs='))?.slice(7)) || 1);
const options = {
  scale: quick ? 0.2 : 1,
  ...(only ? { only } : {}),
  ...(repeats > 0 ? { repeats } : {}),
};

// The bench runs in Chromium only (its timers and process model are what ANCHORS.md measured).
if (!ensureBrowsers(['chromium'])) process.exit(1);

const started = Date.now();
const bundles = await buildFixtures();
const server = await startServer();
const resultsDir = join(ROOT, 'bench', 'results');
await mkdir(resultsDir, { recursive: true });

/** One whole run in a fresh browser: the page's results and the run's metadata. */
async function runOnce(/** @type {number} */ index) {
  const runStarted = Date.now();
  const loadBefore = loadavg()[0].toFixed(1);
  const browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1100, height: 1000 } });
    page.on('console', (m) => {
      if (m.type() === 'error' || m.text().startsWith('[bench]')) console.error(m.text());
    });
    page.on('pageerror', (e) => console.error('page error:', e.message));
    await page.goto(`http://localhost:${server.port}/bench/index.html`);
    await page.waitForFunction(() => typeof globalThis.runBench === 'function', null, {
      timeout: 60_000,
    });
    if (trace) {
      await browser.startTracing(page, {
        path: join(resultsDir, runCount > 1 ? `trace-${index + 1}.json` : 'trace.json'),
        categories: [
          'toplevel',
          'v8.execute',
          'devtools.timeline',
          'disabled-by-default-devtools.timeline',
          'disabled-by-default-v8.cpu_profiler',
        ],
      });
    }
    const results = await page.evaluate((o) => globalThis.runBench(o), options);
    if (trace) await browser.stopTracing();
    const meta = {
      date: new Date().toISOString(),
      run: index + 1,
      seconds: (Date.now() - runStarted) / 1000,
      options,
      burstN: Math.max(20, Math.round(4000 * options.scale)),
      bundles,
      loadBefore,
      cpus: availableParallelism(),
      loadAfter: loadavg()[0].toFixed(1),
    };
    return { meta, results };
  } finally {
    await browser.close();
  }
}

try {
  const runs = [];
  for (let i = 0; i < runCount; i++) {
    if (runCount > 1) console.log(`\n=== run ${i + 1}/${runCount} ===`);
    const { meta, results } = await runOnce(i);
    const { text, rows } = formatReport(results, meta);
    console.log(text);
    console.log(`\n(${meta.seconds.toFixed(0)} s)`);
    runs.push({ meta, table: rows, results });
  }
  const output =
    runCount > 1
      ? (() => {
          const { text, summary } = summarizeRuns(runs.map((r) => r.table));
          console.log(`\n=== ${runCount} runs: each run's ratio, their median and range ===`);
          console.log(text);
          return { runs, summary };
        })()
      : runs[0];
  console.log(`\n(all runs: ${((Date.now() - started) / 1000).toFixed(0)} s)`);
  await writeFile(join(resultsDir, 'latest.json'), JSON.stringify(output, null, 2));
  console.log(`wrote bench/results/latest.json${trace ? ' and the trace(s)' : ''}`);
} finally {
  await server.close();
}
