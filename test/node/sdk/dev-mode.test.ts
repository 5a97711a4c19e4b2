import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/** Sentences only the SDK's development build says (sdk/dev/development.ts). */
const DEV_WORDS = [
  'microcanvas development build',
  'no onError handler',
  'This is a microcanvas widget',
  'data-microcanvas-standalone',
];

/** The SDK as an app's bundler builds it: minified, tree-shaken, under `conditions`. */
async function bundleSdk(conditions: string[] | undefined): Promise<string> {
  const result = await build({
    stdin: { contents: `export * from './sdk/index.ts';`, resolveDir: ROOT, loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2022',
    platform: 'browser',
    write: false,
    logLevel: 'silent',
    ...(conditions ? { conditions } : {}),
  });
  return result.outputFiles[0]!.text;
}

describe('the SDK development build (docs/decisions/0025-dev-mode.md)', () => {
  for (const conditions of [undefined, ['production']]) {
    it(`ships none of its words under ${conditions ? conditions.join() : "a bundler's defaults"}`, async () => {
      const code = await bundleSdk(conditions);
      for (const words of DEV_WORDS) assert.ok(!code.includes(words), words);
      // Positive control: the production build's own words are there.
      assert.ok(code.includes('not framed by a microcanvas host'));
    });
  }

  it('carries them under the development condition (a Vite dev server)', async () => {
    const code = await bundleSdk(['development']);
    for (const words of DEV_WORDS) assert.ok(code.includes(words), words);
  });
});
