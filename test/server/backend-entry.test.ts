import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';

import { build } from 'esbuild';

import { buildServer } from '../../scripts/build-server.mjs';
import { ROOT } from './helpers/processes.ts';

const cache = join(ROOT, 'node_modules/.cache');
mkdirSync(cache, { recursive: true });
const outdir = mkdtempSync(join(cache, 'mc-backend-'));
after(() => rmSync(outdir, { recursive: true, force: true }));

describe('microcanvas/backend (the entry for app backends)', () => {
  it('reaches jose, zod and the protocol only: no logger, WebSocket, metrics or engine', async () => {
    const result = await build({
      absWorkingDir: ROOT,
      entryPoints: ['server/backend/index.ts'],
      bundle: true,
      platform: 'node',
      format: 'esm',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    const packages = new Set(
      inputs
        .map((path) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1])
        .filter((name) => name !== undefined),
    );
    assert.deepEqual([...packages].sort(), ['jose', 'zod']);
    const own = inputs.filter((path) => !path.includes('node_modules'));
    assert.deepEqual(
      own.filter((path) => !/^(server\/backend|server\/tokens|sdk\/protocol)\//.test(path)),
      [],
    );
    assert.ok(
      !own.some((path) => /server\/tokens\/(engine-key-set|index|identity-route)/.test(path)),
    );
  });

  it('is built by the server build as dist/server/backend.js and exports the verifier and the queue consumer', async () => {
    await buildServer(outdir);
    const entry = (await import(pathToFileURL(join(outdir, 'backend.js')).href)) as Record<
      string,
      unknown
    >;
    assert.equal(typeof entry.createIdentityVerifier, 'function');
    assert.equal(typeof entry.createReplayGuard, 'function');
    assert.equal(entry.IDENTITY_TOKEN_TYPE, 'mc-id+jwt');
    assert.equal(typeof entry.consume, 'function');
  });
});
