import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { MAX_HELD, REORDER_WAIT_MS, SpaceFeed } from '../../server/canvas/space-feed.ts';

function feed() {
  const sent: number[] = [];
  return { sent, feed: new SpaceFeed<{ rev: number }>('g1', (m) => sent.push(m.rev)) };
}

describe('SpaceFeed', () => {
  it('holds pushes until the snapshot, then sends only those after it, in order', () => {
    const { sent, feed: f } = feed();
    for (const rev of [6, 4, 5, 7]) f.receive({ rev });
    assert.deepEqual(sent, []);
    f.start(5);
    assert.deepEqual(sent, [6, 7]);
    f.receive({ rev: 7 });
    f.receive({ rev: 3 });
    assert.deepEqual(sent, [6, 7]);
    f.stop();
  });

  it('puts crossed pushes back in order', () => {
    const { sent, feed: f } = feed();
    f.start(0);
    f.receive({ rev: 2 });
    f.receive({ rev: 3 });
    assert.deepEqual(sent, []);
    f.receive({ rev: 1 });
    assert.deepEqual(sent, [1, 2, 3]);
    f.stop();
  });

  it('skips a rev that never comes after the wait, so the client sees the jump', async () => {
    const { sent, feed: f } = feed();
    f.start(0);
    f.receive({ rev: 2 });
    await new Promise((resolve) => setTimeout(resolve, REORDER_WAIT_MS + 100));
    assert.deepEqual(sent, [2]);
    f.receive({ rev: 1 });
    f.receive({ rev: 3 });
    assert.deepEqual(sent, [2, 3]);
    f.stop();
  });

  it('skips at once when more than MAX_HELD pile up behind a missing rev', () => {
    const { sent, feed: f } = feed();
    f.start(0);
    for (let rev = 2; rev <= MAX_HELD + 2; rev++) f.receive({ rev });
    assert.equal(sent.length, MAX_HELD + 1);
    assert.equal(sent[0], 2);
    f.stop();
  });
});
