import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { createReplayGuard } from '../../server/backend/index.ts';

describe('createReplayGuard (microcanvas/backend)', () => {
  it('accepts a token id once until it expires, then forgets it', () => {
    let now = 1_000;
    const guard = createReplayGuard({ now: () => now });
    assert.equal(guard.claim('a', 61_000), true);
    assert.equal(guard.claim('a', 61_000), false, 'a replay');
    assert.equal(guard.claim('b', 61_000), true, 'another token');
    now = 61_000;
    // Expired: the verifier refuses the token itself; the guard need not remember it.
    assert.equal(guard.claim('a', 121_000), true);
  });

  it('fails closed when full of live ids, and makes room as they expire', () => {
    let now = 0;
    const guard = createReplayGuard({ maxEntries: 3, now: () => now });
    for (const id of ['a', 'b', 'c'])
      assert.equal(guard.claim(id, 10_000 + id.charCodeAt(0)), true);
    assert.equal(guard.claim('d', 20_000), false, 'full: refused rather than forgotten');
    assert.equal(guard.claim('a', 20_000), false, 'still a replay');
    now = 10_000 + 'a'.charCodeAt(0);
    assert.equal(guard.claim('d', 20_000), true, 'room once a expired');
    assert.equal(guard.claim('b', 20_000), false);
  });
});
