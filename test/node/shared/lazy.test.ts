import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { lazy } from '../../../shell/shared/lazy.ts';

describe('lazy (a module loaded on first use)', () => {
  it('shares one load between callers, while it loads and after', async () => {
    let loads = 0;
    const load = lazy(async () => ++loads);
    assert.deepEqual(await Promise.all([load(), load()]), [1, 1]);
    assert.equal(await load(), 1);
    assert.equal(loads, 1);
  });

  it('forgets a load that failed, so the next caller tries again', async () => {
    let loads = 0;
    const load = lazy(async () => {
      loads++;
      if (loads === 1) throw new Error('chunk did not arrive');
      return 'module';
    });
    await assert.rejects(load(), /chunk did not arrive/);
    assert.equal(await load(), 'module');
    assert.equal(await load(), 'module');
    assert.equal(loads, 2);
  });
});
