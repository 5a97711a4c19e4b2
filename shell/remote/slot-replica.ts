import type {
  LostField,
  SlotChange,
  SlotField,
  SlotFields,
  SlotOp,
  SlotState,
} from '../../sdk/protocol/server-wire.ts';
import type { Slot } from '../model/canvas-model.ts';

/** The fields of one slot as the server last told them, each with its revision. */
export interface ConfirmedSlot {
  fields: Partial<SlotFields>;
  revs: Partial<Record<SlotField, number>>;
}

/** A local change not yet acknowledged: `base` is the slot revision seen when it was made. */
export interface PendingOp {
  slot: string;
  base: number;
  set?: Partial<SlotFields>;
  remove?: true;
}

/** What a replica keeps across reloads (IndexedDB), so offline edits keep their `base`. */
export interface ReplicaData {
  rev: number;
  slots: Array<{ slot: string; fields: Partial<SlotFields>; revs: ConfirmedSlot['revs'] }>;
  removed: Array<[string, number]>;
  pending: PendingOp[];
}

/** What applying a server frame did. */
export interface ApplyResult {
  /** The visible layout changed: show it. */
  changed: boolean;
  /** The frame skipped revisions (a push was missed): join again for a snapshot. */
  gap: boolean;
}

const FIELDS = ['app', 'x', 'y', 'width', 'height', 'config'] as const;
const REQUIRED = ['app', 'x', 'y', 'width', 'height'] as const;

/**
 * One space's canvas as this device knows it, without I/O: the server's slots (each field
 * with its revision, and removals), and the local edits not yet acknowledged, coalesced per
 * slot. The visible layout is the server's with the pending edits on top, which is what the
 * server will hold once they are applied (last writer wins per field in server order, and
 * they come last). Every rule of client-side canvas sync lives here, tested in Node.
 *
 * Local changes are recorded by comparing a whole layout with the visible one, so every
 * kind of change (mount, move, a `replace` by the page) becomes the same few ops, and a
 * layout that equals the visible one records nothing: applying a server change never echoes.
 */
export class SlotReplica {
  /** The highest space revision seen in order (snapshot, then each `changed`). */
  rev = 0;
  readonly #slots = new Map<string, ConfirmedSlot>();
  /** Removed slots and the revision of their removal (the `base` for re-creating them). */
  readonly #removed = new Map<string, number>();
  #pending = new Map<string, PendingOp>();
  #inflight: PendingOp[] = [];

  /** Restores what {@link toData} returned (read from storage: checked loosely, never trusted blindly). */
  static from(data: unknown): SlotReplica {
    const replica = new SlotReplica();
    if (!isRecord(data)) return replica;
    const d = data as Partial<ReplicaData>;
    if (isCount(d.rev)) replica.rev = d.rev;
    for (const s of Array.isArray(d.slots) ? d.slots : []) {
      if (isRecord(s) && typeof s.slot === 'string' && isRecord(s.fields) && isRecord(s.revs)) {
        replica.#slots.set(s.slot, { fields: { ...s.fields }, revs: { ...s.revs } });
      }
    }
    for (const r of Array.isArray(d.removed) ? d.removed : []) {
      if (Array.isArray(r) && typeof r[0] === 'string' && isCount(r[1])) {
        replica.#removed.set(r[0], r[1]);
      }
    }
    for (const op of Array.isArray(d.pending) ? d.pending : []) {
      if (isRecord(op) && typeof op.slot === 'string' && isCount(op.base)) {
        if (op.remove === true)
          replica.#pending.set(op.slot, { slot: op.slot, base: op.base, remove: true });
        else if (isRecord(op.set)) {
          replica.#pending.set(op.slot, { slot: op.slot, base: op.base, set: { ...op.set } });
        }
      }
    }
    return replica;
  }

  /**
   * Takes `layout` as the server's state at revision 0, before any join: a device that never
   * reached the server records its offline edits against the layout it showed, not as
   * creations of every slot. The first snapshot replaces this.
   */
  assume(layout: readonly Slot[]): void {
    for (const slot of layout) {
      const fields = full(slot);
      const revs: ConfirmedSlot['revs'] = {};
      for (const f of Object.keys(fields)) revs[f as SlotField] = 0;
      this.#slots.set(slot.slotId, { fields, revs });
    }
  }

  /**
   * Takes over `other`, a replica of the same space kept by a tab that closed: the newer of
   * the two server states, and its unsent edits, coalesced before this replica's own.
   */
  adopt(other: SlotReplica): void {
    if (other.rev > this.rev) {
      this.rev = other.rev;
      this.#slots.clear();
      for (const [slot, s] of other.#slots) this.#slots.set(slot, s);
      this.#removed.clear();
      for (const [slot, rev] of other.#removed) this.#removed.set(slot, rev);
    }
    const merged = new Map<string, PendingOp>();
    for (const op of [...other.#requeued().values(), ...this.#requeued().values()]) {
      const prior = merged.get(op.slot);
      merged.set(op.slot, prior ? coalesce(prior, op) : op);
    }
    this.#pending = merged;
    this.#inflight = [];
  }

  /** The replica as plain data; edits in flight count as pending (they are resent). */
  toData(): ReplicaData {
    return {
      rev: this.rev,
      slots: [...this.#slots].map(([slot, s]) => ({ slot, fields: s.fields, revs: s.revs })),
      removed: [...this.#removed],
      pending: [...this.#requeued().values()],
    };
  }

  /** Local edits not yet acknowledged (in flight included). */
  get pendingCount(): number {
    return this.#requeued().size;
  }

  /** True when an edit is waiting for its `ack`. */
  get inflight(): boolean {
    return this.#inflight.length > 0;
  }

  /** The slot revision this device last saw: the `base` of its next op on `slot`. */
  baseOf(slot: string): number {
    const s = this.#slots.get(slot);
    if (s) return Math.max(0, ...Object.values(s.revs));
    return this.#removed.get(slot) ?? 0;
  }

  /**
   * The layout to show: the server's slots with the pending edits on top, in `order`'s order
   * first (the slots already on the canvas keep their stacking), then the others. A slot
   * whose fields are incomplete (a pending partial edit of a slot the server removed) is left out.
   */
  visible(order: readonly Slot[] = []): Slot[] {
    const merged = new Map<string, Partial<SlotFields>>();
    for (const [slot, s] of this.#slots) merged.set(slot, s.fields);
    for (const op of [...this.#inflight, ...this.#pending.values()]) {
      if (op.remove) merged.delete(op.slot);
      else merged.set(op.slot, { ...merged.get(op.slot), ...op.set });
    }
    const ids = [...order.map((s) => s.slotId), ...merged.keys()];
    const out: Slot[] = [];
    const seen = new Set<string>();
    for (const slotId of ids) {
      const fields = merged.get(slotId);
      if (seen.has(slotId) || !fields || !isComplete(fields)) continue;
      seen.add(slotId);
      const slot: Slot = { slotId, ...fields };
      if (fields.config == null) delete slot.config;
      out.push(slot);
    }
    return out;
  }

  /**
   * Records the local `layout` as pending ops: every slot it adds, moves, resizes,
   * reconfigures or lacks compared with the visible layout. Slots of apps `shown` refuses
   * (not registered here, so never on this canvas) are not taken as removed.
   * Returns the number of slots that changed.
   */
  record(layout: readonly Slot[], shown: (app: string) => boolean = () => true): number {
    const visible = new Map(this.visible().map((s) => [s.slotId, s]));
    let count = 0;
    for (const slot of layout) {
      const before = visible.get(slot.slotId);
      visible.delete(slot.slotId);
      const set: Partial<SlotFields> = {};
      for (const field of FIELDS) {
        const value = field === 'config' ? slot.config : slot[field];
        if (!before || !sameValue(before[field], value)) {
          if (value !== undefined) (set as Record<string, unknown>)[field] = value;
          // An emptied config is written as null: "no config" must overwrite the old one.
          else if (before?.config !== undefined) set.config = null;
        }
      }
      if (Object.keys(set).length === 0) continue;
      // A new slot (or one brought back) is created with all its fields.
      this.#add({
        slot: slot.slotId,
        base: this.baseOf(slot.slotId),
        set: before ? set : full(slot),
      });
      count++;
    }
    for (const [slotId, slot] of visible) {
      if (!shown(slot.app)) continue;
      this.#add({ slot: slotId, base: this.baseOf(slotId), remove: true });
      count++;
    }
    return count;
  }

  /** Moves up to `max` pending ops in flight and returns them as wire ops; none while one edit is in flight. */
  takeBatch(max: number): SlotOp[] {
    if (this.#inflight.length > 0 || this.#pending.size === 0) return [];
    const batch = [...this.#pending.values()].slice(0, max);
    for (const op of batch) this.#pending.delete(op.slot);
    this.#inflight = batch;
    return batch.map(toWire);
  }

  /** The edit in flight was lost with the connection: its ops go back in front of the pending ones. */
  requeue(): void {
    this.#pending = this.#requeued();
    this.#inflight = [];
  }

  /** The edit in flight is refused for good (the server rejected its ops): forget it. */
  dropInflight(): void {
    this.#inflight = [];
  }

  /**
   * The edit in flight was stored at revision `rev`; `lost` names fields it asked for but did
   * not get (the slot had been removed: removal wins). Pending edits of the same slots now
   * build on this device's own write.
   */
  ack(rev: number, lost: readonly LostField[]): void {
    const refused = new Set(lost.map((l) => l.slot));
    for (const op of this.#inflight) {
      if (refused.has(op.slot)) {
        this.#forget(op.slot, Math.max(rev, this.#removed.get(op.slot) ?? 0));
      } else if (op.remove) {
        this.#forget(op.slot, rev);
      } else {
        const s = this.#slots.get(op.slot) ?? { fields: {}, revs: {} };
        this.#removed.delete(op.slot);
        for (const [field, value] of Object.entries(op.set ?? {})) {
          const f = field as SlotField;
          if ((s.revs[f] ?? 0) > rev) continue;
          (s.fields as Record<string, unknown>)[f] = value;
          s.revs[f] = rev;
        }
        this.#slots.set(op.slot, s);
      }
      const next = this.#pending.get(op.slot);
      if (next) next.base = Math.max(next.base, rev);
    }
    this.#inflight = [];
  }

  /** A join's snapshot: the server's whole canvas at `rev` replaces what this replica knew of it. */
  snapshot(rev: number, slots: readonly SlotState[]): void {
    this.#slots.clear();
    this.#removed.clear();
    for (const s of slots) {
      const revs: ConfirmedSlot['revs'] = {};
      for (const f of FIELDS) if (f !== 'config' || s.fields.config !== undefined) revs[f] = s.rev;
      this.#slots.set(s.slot, { fields: pick(s.fields), revs });
    }
    this.rev = rev;
    // Pending edits stay on top: they are this device's, not yet sent.
    this.requeue();
  }

  /**
   * A `changed` push at `rev`: each field is taken when its revision is newer than the one
   * known (this device's own ack may have told it already). A skipped revision is a missed
   * push: nothing is applied and the caller joins again.
   */
  changed(rev: number, slots: readonly SlotChange[]): ApplyResult {
    if (rev <= this.rev) return { changed: false, gap: false };
    if (rev !== this.rev + 1) return { changed: false, gap: true };
    this.rev = rev;
    const before = JSON.stringify(this.visible());
    for (const change of slots) {
      if (change.removed) {
        const s = this.#slots.get(change.slot);
        const newest = s ? Math.max(0, ...Object.values(s.revs)) : 0;
        if (newest <= change.rev) this.#forget(change.slot, change.rev);
        continue;
      }
      if ((this.#removed.get(change.slot) ?? 0) >= change.rev) continue;
      const s = this.#slots.get(change.slot) ?? { fields: {}, revs: {} };
      for (const [field, value] of Object.entries(pick(change.set ?? {}))) {
        const f = field as SlotField;
        if ((s.revs[f] ?? 0) >= change.rev) continue;
        (s.fields as Record<string, unknown>)[f] = value;
        s.revs[f] = change.rev;
      }
      this.#removed.delete(change.slot);
      this.#slots.set(change.slot, s);
      // A pending edit that asks for what the server now holds has nothing left to say.
      this.#prune(change.slot);
    }
    return { changed: JSON.stringify(this.visible()) !== before, gap: false };
  }

  #forget(slot: string, rev: number): void {
    this.#slots.delete(slot);
    this.#removed.set(slot, rev);
  }

  #prune(slot: string): void {
    const op = this.#pending.get(slot);
    const fields = this.#slots.get(slot)?.fields;
    if (!op?.set || !fields) return;
    for (const [field, value] of Object.entries(op.set)) {
      if (sameValue(fields[field as SlotField], value))
        delete (op.set as Record<string, unknown>)[field];
    }
    if (Object.keys(op.set).length === 0) this.#pending.delete(slot);
  }

  /** Adds a local op, coalesced with a pending op of the same slot (which keeps its `base`). */
  #add(op: PendingOp): void {
    const prior = this.#pending.get(op.slot);
    this.#pending.set(op.slot, prior ? coalesce(prior, op) : op);
  }

  /** In-flight ops followed by (and coalesced with) the pending ones. */
  #requeued(): Map<string, PendingOp> {
    const out = new Map<string, PendingOp>();
    for (const op of [...this.#inflight, ...this.#pending.values()]) {
      const prior = out.get(op.slot);
      out.set(
        op.slot,
        prior ? coalesce(prior, op) : { ...op, ...(op.set ? { set: { ...op.set } } : {}) },
      );
    }
    return out;
  }
}

/** Two ops of one slot as one: a removal ends what came before; what comes after a removal re-creates. */
function coalesce(first: PendingOp, then: PendingOp): PendingOp {
  if (then.remove) return { slot: first.slot, base: first.base, remove: true };
  if (first.remove) return { slot: first.slot, base: first.base, set: { ...then.set } };
  return { slot: first.slot, base: first.base, set: { ...first.set, ...then.set } };
}

function toWire(op: PendingOp): SlotOp {
  return op.remove
    ? { slot: op.slot, base: op.base, remove: true }
    : { slot: op.slot, base: op.base, set: { ...op.set } };
}

function full(slot: Slot): Partial<SlotFields> {
  const { app, x, y, width, height, config } = slot;
  return config === undefined ? { app, x, y, width, height } : { app, x, y, width, height, config };
}

/** Only the known fields (a newer server may send more). */
function pick(fields: Partial<Record<string, unknown>>): Partial<SlotFields> {
  const out: Record<string, unknown> = {};
  for (const f of FIELDS) if (fields[f] !== undefined) out[f] = fields[f];
  return out as Partial<SlotFields>;
}

function isComplete(fields: Partial<SlotFields>): fields is SlotFields {
  return REQUIRED.every((f) => fields[f] !== undefined);
}

function sameValue(a: unknown, b: unknown): boolean {
  // null is how an emptied config travels; it means the same as no config.
  if ((a ?? undefined) === undefined && (b ?? undefined) === undefined) return true;
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isCount(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}
