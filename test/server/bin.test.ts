import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import { buildServer } from '../../scripts/build-server.mjs';
import { kill, ROOT } from './helpers/processes.ts';

const tmp = mkdtempSync(join(tmpdir(), 'mc-bin-'));
// A bundle inside the repository finds its peers in node_modules, as dist/server/cli.js does;
// not dist/server itself, which `npm test`'s build step clears while this test may run.
const cache = join(ROOT, 'node_modules/.cache');
mkdirSync(cache, { recursive: true });
const local = mkdtempSync(join(cache, 'mc-bin-'));
after(() => {
  rmSync(tmp, { recursive: true, force: true });
  rmSync(local, { recursive: true, force: true });
});

/** Runs a built cli.js with plain node (no tsx), collecting its output. */
function runBin(cli: string, args: string[]) {
  const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString('utf8')));
  child.stderr.on('data', (d: Buffer) => (output += d.toString('utf8')));
  const exit = new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { child, exit, output: () => output };
}

describe('the microcanvas-server bin (esbuild bundle, plain node)', () => {
  it('starts from a bundle in the repository, answers /healthz, and stops on SIGTERM', async () => {
    await buildServer(local);
    const bin = runBin(join(local, 'cli.js'), [
      '--port',
      '0',
      '--engine-url',
      join(tmp, 'data.db'),
    ]);
    try {
      let url: string | undefined;
      for (let i = 0; i < 200 && url === undefined; i++) {
        url = /"url":"(http:[^"]+)"/.exec(bin.output())?.[1];
        if (url === undefined) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.ok(url, bin.output());
      const res = await fetch(`${url}/healthz`);
      assert.equal(res.status, 200);
      bin.child.kill('SIGTERM');
      assert.equal(await bin.exit, 0);
    } finally {
      await kill(bin.child);
    }
  });

  it('outside the repository, without the engine driver: exit 1 naming the package to install', async () => {
    // pino and prom-client are in the bundle; better-sqlite3 is an optional peer the bundle
    // imports at run time, and /tmp has no node_modules to find it in.
    const outdir = join(tmp, 'bundle');
    await buildServer(outdir);
    const bin = runBin(join(outdir, 'cli.js'), ['--port', '0', '--engine-url', join(tmp, 'x.db')]);
    assert.equal(await bin.exit, 1, bin.output());
    assert.match(bin.output(), /embedded engine's driver is not installed/);
    assert.match(bin.output(), /install better-sqlite3@12/);
  });
});
