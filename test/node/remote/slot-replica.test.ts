import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { Slot } from '../../../shell/model/canvas-model.ts';
import { SlotReplica } from '../../../shell/remote/slot-replica.ts';

const A: Slot = { slotId: 'a', app: 'alpha', x: 0, y: 0, width: 100, height: 80 };
const B: Slot = { slotId: 'b', app: 'beta', x: 200, y: 0, width: 100, height: 80 };
const fields = ({ slotId: _, ...rest }: Slot) => rest;
const state = (slot: Slot, rev: number) => ({ slot: slot.slotId, rev, fields: fields(slot) });

/** A replica joined at `rev` with `slots`, each at revision `rev`. */
function joined(rev: number, ...slots: Slot[]): SlotReplica {
  const replica = new SlotReplica();
  replica.snapshot(
    rev,
    slots.map((s) => state(s, rev)),
  );
  return replica;
}

describe('SlotReplica', () => {
  it('shows a snapshot, and records nothing for a layout equal to it (no echo)', () => {
    const replica = joined(3, A, B);
    assert.deepEqual(replica.visible(), [A, B]);
    assert.equal(replica.record([A, B]), 0);
    assert.deepEqual(replica.takeBatch(64), []);
  });

  it('turns a move into one op of the moved fields, based on the slot revision last seen', () => {
    const replica = joined(3, A, B);
    replica.record([{ ...A, x: 40, y: 20 }, B]);
    assert.deepEqual(replica.takeBatch(64), [{ slot: 'a', base: 3, set: { x: 40, y: 20 } }]);
  });

  it('creates a new slot with all its fields (base 0) and removes a missing one', () => {
    const replica = joined(3, A);
    assert.equal(replica.record([B]), 2);
    assert.deepEqual(replica.takeBatch(64), [
      { slot: 'b', base: 0, set: fields(B) },
      { slot: 'a', base: 3, remove: true },
    ]);
  });

  it('does not take a slot of an app this canvas does not show as removed', () => {
    const replica = joined(3, A, B);
    assert.equal(
      replica.record([A], (app) => app === 'alpha'),
      0,
    );
  });

  it('coalesces edits of one slot while offline, keeping the first base', () => {
    const replica = joined(3, A);
    replica.record([{ ...A, x: 10 }]);
    replica.record([{ ...A, x: 20, width: 150 }]);
    assert.equal(replica.pendingCount, 1);
    assert.deepEqual(replica.takeBatch(64), [{ slot: 'a', base: 3, set: { x: 20, width: 150 } }]);
  });

  it('keeps one edit in flight; an ack moves the base of later edits past its own write', () => {
    const replica = joined(3, A);
    replica.record([{ ...A, x: 10 }]);
    assert.equal(replica.takeBatch(64).length, 1);
    replica.record([{ ...A, x: 10, y: 30 }]);
    assert.deepEqual(replica.takeBatch(64), [], 'nothing while an edit is in flight');
    replica.ack(4, []);
    assert.deepEqual(replica.takeBatch(64), [{ slot: 'a', base: 4, set: { y: 30 } }]);
    assert.equal(replica.baseOf('a'), 4);
  });

  it('puts an unacknowledged edit back in front after a disconnect, merged with later ones', () => {
    const replica = joined(3, A);
    replica.record([{ ...A, x: 10 }]);
    replica.takeBatch(64);
    replica.record([{ ...A, x: 10, y: 5 }]);
    replica.requeue();
    assert.deepEqual(replica.takeBatch(64), [{ slot: 'a', base: 3, set: { x: 10, y: 5 } }]);
  });

  it('applies pushes per field: a newer revision wins, an older or equal one is skipped', () => {
    const replica = joined(3, A);
    // This device's own move, acknowledged at 5 before the push of 4 (another device's) arrives.
    replica.record([{ ...A, x: 50 }]);
    replica.takeBatch(64);
    replica.ack(5, []);
    assert.equal(
      replica.changed(4, [{ slot: 'a', rev: 4, set: { x: 7, height: 99 } }]).changed,
      true,
    );
    assert.deepEqual(replica.visible(), [{ ...A, x: 50, height: 99 }]);
    // The echo of its own edit changes nothing.
    assert.equal(replica.changed(5, [{ slot: 'a', rev: 5, set: { x: 50 } }]).changed, false);
  });

  it('keeps pending edits on top of pushes, and drops the ones a push already made true', () => {
    const replica = joined(3, A);
    replica.record([{ ...A, x: 10, y: 10 }]);
    replica.changed(4, [{ slot: 'a', rev: 4, set: { x: 10, width: 300 } }]);
    assert.deepEqual(replica.visible(), [{ ...A, x: 10, y: 10, width: 300 }]);
    assert.deepEqual(replica.takeBatch(64), [{ slot: 'a', base: 3, set: { y: 10 } }]);
  });

  it('reports a skipped revision as a gap and applies nothing', () => {
    const replica = joined(3, A);
    const result = replica.changed(5, [{ slot: 'a', rev: 5, set: { x: 1 } }]);
    assert.deepEqual(result, { changed: false, gap: true });
    assert.equal(replica.visible()[0]!.x, 0);
  });

  it('applies a removal and a re-creation by another device', () => {
    const replica = joined(3, A);
    replica.changed(4, [{ slot: 'a', rev: 4, removed: true }]);
    assert.deepEqual(replica.visible(), []);
    assert.equal(replica.baseOf('a'), 4);
    replica.changed(5, [{ slot: 'a', rev: 5, set: { ...fields(A), x: 9 } }]);
    assert.deepEqual(replica.visible(), [{ ...A, x: 9 }]);
  });

  it('forgets a slot whose write was lost to a removal (the ack says so)', () => {
    const replica = joined(3, A, B);
    replica.record([{ ...A, x: 1 }, B]);
    replica.takeBatch(64);
    replica.ack(6, [{ slot: 'a', fields: ['x'] }]);
    assert.deepEqual(replica.visible(), [B]);
  });

  it('keeps pending edits over a new snapshot, and leaves out slots it cannot complete', () => {
    const replica = joined(3, A, B);
    replica.record([
      { ...A, x: 10 },
      { ...B, y: 40 },
    ]);
    // Meanwhile another device removed b: the snapshot lacks it.
    replica.snapshot(9, [state({ ...A, width: 120 }, 8)]);
    assert.deepEqual(replica.visible(), [{ ...A, x: 10, width: 120 }]);
    assert.deepEqual(replica.takeBatch(64), [
      { slot: 'a', base: 3, set: { x: 10 } },
      { slot: 'b', base: 3, set: { y: 40 } },
    ]);
  });

  it('records offline edits of a never-joined device against the layout it showed', () => {
    const replica = new SlotReplica();
    replica.assume([A, B]);
    replica.record([{ ...A, y: 15 }, B]);
    assert.deepEqual(replica.takeBatch(64), [{ slot: 'a', base: 0, set: { y: 15 } }]);
  });

  it('survives a round trip through storage, in-flight edits counted as pending', () => {
    const replica = joined(3, A);
    replica.record([{ ...A, x: 10 }, B]);
    replica.takeBatch(1);
    const restored = SlotReplica.from(JSON.parse(JSON.stringify(replica.toData())));
    assert.equal(restored.rev, 3);
    assert.equal(restored.pendingCount, 2);
    assert.deepEqual(restored.visible(), [{ ...A, x: 10 }, B]);
    assert.deepEqual(SlotReplica.from({ rev: -1, slots: 'x', pending: [null] }).toData(), {
      rev: 0,
      slots: [],
      removed: [],
      pending: [],
    });
  });

  it('writes an emptied config as null, which means no config', () => {
    const withConfig = { ...A, config: { theme: 'dark' } };
    const replica = joined(3, withConfig);
    replica.record([A]);
    assert.deepEqual(replica.takeBatch(64), [{ slot: 'a', base: 3, set: { config: null } }]);
    replica.ack(4, []);
    assert.deepEqual(replica.visible(), [A]);
  });
});
