import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { McError, MAX_SLOTS_PER_SPACE } from '../../sdk/protocol/index.ts';
import { applyEdit, emptyDoc, MAX_TOMBSTONES, snapshotOf } from '../../server/canvas/canvas-doc.ts';

const TODO = { app: 'todo', x: 0, y: 0, width: 300, height: 200 };
const ANN = { user: 'ann', device: 'laptop-1' };
const BOB = { user: 'bob', device: 'phone-12' };

describe('applyEdit', () => {
  it('moves rev by one per edit that changes something, and not for one that does not', () => {
    const one = applyEdit(emptyDoc(), [{ slot: 'a', base: 0, set: TODO }], ANN);
    assert.equal(one.doc.rev, 1);
    const none = applyEdit(one.doc, [{ slot: 'zzz', base: 0, remove: true }], ANN);
    assert.equal(none.doc, one.doc);
    assert.deepEqual(none.changes, []);
  });

  it('merges several ops on one slot into one change, removal last wins', () => {
    const doc = applyEdit(emptyDoc(), [{ slot: 'a', base: 0, set: TODO }], ANN).doc;
    const { changes } = applyEdit(
      doc,
      [
        { slot: 'a', base: 1, set: { x: 1 } },
        { slot: 'a', base: 1, set: { y: 2 } },
        { slot: 'b', base: 0, set: TODO },
        { slot: 'b', base: 0, remove: true },
      ],
      ANN,
    );
    assert.deepEqual(changes, [
      { slot: 'a', rev: 2, set: { x: 1, y: 2 } },
      { slot: 'b', rev: 2, removed: true },
    ]);
  });

  it('tells each overwritten device once per slot, never the author itself', () => {
    let doc = applyEdit(emptyDoc(), [{ slot: 'a', base: 0, set: TODO }], ANN).doc;
    doc = applyEdit(doc, [{ slot: 'a', base: 1, set: { x: 5, y: 5 } }], BOB).doc;
    const result = applyEdit(doc, [{ slot: 'a', base: 1, remove: true }], ANN);
    assert.deepEqual(result.notices, [
      { slot: 'a', fields: ['x', 'y'], user: 'bob', device: 'phone-12' },
    ]);
    const own = applyEdit(doc, [{ slot: 'a', base: 0, set: { x: 9, y: 9 } }], BOB);
    // Bob rewrites his own fields without having seen them: nobody to tell.
    assert.deepEqual(own.notices, []);
  });

  it('refuses more live slots than a canvas holds, and forgets the oldest tombstones', () => {
    const many = Array.from({ length: MAX_SLOTS_PER_SPACE + 1 }, (_, i) => ({
      slot: `s${i}`,
      base: 0,
      set: TODO,
    }));
    assert.throws(
      () => applyEdit(emptyDoc(), many, ANN),
      (error: unknown) => error instanceof McError && error.code === 'QUOTA_EXCEEDED',
    );
    let doc = emptyDoc();
    for (let round = 0; round < 2; round++) {
      const ops = many
        .slice(0, MAX_SLOTS_PER_SPACE)
        .map((op) => ({ ...op, slot: `${op.slot}-${round}` }));
      doc = applyEdit(doc, ops, ANN).doc;
      doc = applyEdit(
        doc,
        ops.map(({ slot }) => ({ slot, base: doc.rev, remove: true as const })),
        ANN,
      ).doc;
    }
    assert.equal(Object.keys(doc.slots).length, MAX_TOMBSTONES);
    assert.ok(Object.keys(doc.slots).every((slot) => slot.endsWith('-1')));
    assert.deepEqual(snapshotOf(doc), []);
  });
});
