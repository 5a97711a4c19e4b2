import * as z from 'zod/mini';

import { McError } from '../../sdk/protocol/errors.ts';
import {
  MAX_SLOTS_PER_SPACE,
  SLOT_FIELDS,
  type Author,
  type LostField,
  type SlotChange,
  type SlotField,
  type SlotFields,
  type SlotOp,
  type SlotState,
} from '../../sdk/protocol/server-wire.ts';

/**
 * A space's canvas as stored: per slot the current fields, one revision per field, who wrote
 * each field, and a removal revision (tombstone). Revisions are the space's `rev` of the edit
 * that wrote them: the server's order. One document per space, so that an edit of several
 * slots is atomic and `rev` grows by exactly one per edit (docs/decisions/0015-canvas-sync.md).
 */
const SlotRecordSchema = z.object({
  /** Current values. */
  f: z.record(z.string(), z.unknown()),
  /** Revision of each field. */
  r: z.record(z.string(), z.number()),
  /** Writer of each field: `[user, device]`. */
  w: z.record(z.string(), z.tuple([z.string(), z.string()])),
  /** Revision of the last removal. */
  x: z.optional(z.number()),
});
export const CanvasDocSchema = z.object({
  rev: z.number(),
  slots: z.record(z.string(), SlotRecordSchema),
});
export type CanvasDoc = z.infer<typeof CanvasDocSchema>;
type SlotRecord = z.infer<typeof SlotRecordSchema>;

/** Tombstones kept beyond the live slots; the oldest are forgotten first. */
export const MAX_TOMBSTONES = MAX_SLOTS_PER_SPACE;
const REQUIRED: readonly SlotField[] = ['app', 'x', 'y', 'width', 'height'];

/** A device's write that a later, concurrent write overwrote: told to that device. */
export interface LostNotice {
  readonly slot: string;
  readonly fields: SlotField[];
  /** The device whose write was overwritten. */
  readonly user: string;
  readonly device: string;
}

/** What applying an edit did. */
export interface EditResult {
  readonly doc: CanvasDoc;
  /** The slots changed, for `changed` (empty: nothing changed, `rev` did not move). */
  readonly changes: SlotChange[];
  /** The author's fields not applied (the slot was removed by a write it had not seen). */
  readonly lost: LostField[];
  /** Other devices' writes overwritten by this edit without it having seen them. */
  readonly notices: LostNotice[];
}

/** An empty canvas. */
export function emptyDoc(): CanvasDoc {
  return { rev: 0, slots: {} };
}

/**
 * Applies `ops` in order at revision `doc.rev + 1`, per field last writer wins (the later in
 * server order). The rules (docs/server.md, "Conflicts"):
 *
 * - set on a live slot: every field given is written. A field whose revision is newer than
 *   the op's `base` was written by someone who the author had not seen; when that writer is
 *   another device, it is told (`lost`, by the author).
 * - remove of a live slot: the slot becomes a tombstone; other devices' fields written after
 *   `base` are told lost likewise.
 * - set on a removed slot: when `base` predates the removal, remove wins and the author is
 *   told in its ack (`lost`); otherwise (the author saw the removal) it creates the slot anew
 *   and needs every required field, like a set on an unknown slot. An incomplete create is
 *   lost too: there is nothing to apply it to.
 * - remove of a removed or unknown slot: nothing.
 */
export function applyEdit(doc: CanvasDoc, ops: readonly SlotOp[], by: Author): EditResult {
  const rev = doc.rev + 1;
  const slots: Record<string, SlotRecord> = { ...doc.slots };
  const changes = new Map<string, SlotChange>();
  const lost: LostField[] = [];
  const notices: LostNotice[] = [];

  for (const op of ops) {
    const current = slots[op.slot];
    const live = current !== undefined && isLive(current);
    if (op.remove) {
      if (!live) continue;
      notices.push(...overwritten(op.slot, current, op.base, Object.keys(current.r), by));
      slots[op.slot] = { f: {}, r: {}, w: {}, x: rev };
      changes.set(op.slot, { slot: op.slot, rev, removed: true });
      continue;
    }
    const set = op.set ?? {};
    const fields = Object.keys(set) as SlotField[];
    if (!live) {
      const removedUnseen = current?.x !== undefined && op.base < current.x;
      if (removedUnseen || !REQUIRED.every((name) => set[name] !== undefined)) {
        lost.push({ slot: op.slot, fields });
        continue;
      }
    }
    const base: SlotRecord = live
      ? current
      : { f: {}, r: {}, w: {}, ...(current?.x ? { x: current.x } : {}) };
    if (live) notices.push(...overwritten(op.slot, current, op.base, fields, by));
    const next: SlotRecord = {
      f: { ...base.f },
      r: { ...base.r },
      w: { ...base.w },
      ...(base.x ? { x: base.x } : {}),
    };
    for (const name of fields) {
      next.f[name] = set[name];
      next.r[name] = rev;
      next.w[name] = [by.user, by.device];
    }
    slots[op.slot] = next;
    const change = changes.get(op.slot);
    changes.set(op.slot, {
      slot: op.slot,
      rev,
      set: { ...(change?.removed ? {} : change?.set), ...(set as Partial<SlotFields>) },
    });
  }

  if (changes.size === 0) return { doc, changes: [], lost, notices: [] };
  const liveCount = Object.values(slots).filter(isLive).length;
  if (liveCount > MAX_SLOTS_PER_SPACE) {
    throw new McError('QUOTA_EXCEEDED', `a canvas holds at most ${MAX_SLOTS_PER_SPACE} slots`);
  }
  return {
    doc: { rev, slots: pruneTombstones(slots) },
    changes: [...changes.values()],
    lost,
    notices: merge(notices),
  };
}

/** The live slots, for a snapshot. */
export function snapshotOf(doc: CanvasDoc): SlotState[] {
  const out: SlotState[] = [];
  for (const [slot, record] of Object.entries(doc.slots)) {
    if (!isLive(record)) continue;
    out.push({ slot, rev: slotRev(record), fields: record.f as SlotFields });
  }
  return out;
}

/** A slot is live when it has every required field written after its last removal. */
function isLive(record: SlotRecord): boolean {
  return REQUIRED.every((name) => (record.r[name] ?? 0) > (record.x ?? 0));
}

/** The slot's revision: its newest field or removal. */
function slotRev(record: SlotRecord): number {
  return Math.max(record.x ?? 0, ...Object.values(record.r));
}

/** Other devices' writes of `fields` newer than `base`: they lose to this op. */
function overwritten(
  slot: string,
  record: SlotRecord,
  base: number,
  fields: readonly string[],
  by: Author,
): LostNotice[] {
  const out: LostNotice[] = [];
  for (const name of fields) {
    const writer = record.w[name];
    if ((record.r[name] ?? 0) <= base || writer === undefined) continue;
    if (writer[0] === by.user && writer[1] === by.device) continue;
    out.push({ slot, fields: [name as SlotField], user: writer[0], device: writer[1] });
  }
  return out;
}

/** One notice per slot and device. */
function merge(notices: LostNotice[]): LostNotice[] {
  const byKey = new Map<string, LostNotice>();
  for (const n of notices) {
    const key = JSON.stringify([n.slot, n.user, n.device]);
    const found = byKey.get(key);
    if (found) {
      for (const f of n.fields) if (!found.fields.includes(f)) found.fields.push(f);
    } else byKey.set(key, { ...n, fields: [...n.fields] });
  }
  return [...byKey.values()].map((n) => ({
    ...n,
    fields: SLOT_FIELDS.filter((f) => n.fields.includes(f)),
  }));
}

/** Keeps at most MAX_TOMBSTONES tombstones, the newest. */
function pruneTombstones(slots: Record<string, SlotRecord>): Record<string, SlotRecord> {
  const dead = Object.entries(slots).filter(([, r]) => !isLive(r));
  if (dead.length <= MAX_TOMBSTONES) return slots;
  dead.sort(([, a], [, b]) => (a.x ?? 0) - (b.x ?? 0));
  const out = { ...slots };
  for (const [slot] of dead.slice(0, dead.length - MAX_TOMBSTONES)) delete out[slot];
  return out;
}
