import { McError } from '../../sdk/protocol/errors.ts';
import type { Author, SlotOp } from '../../sdk/protocol/server-wire.ts';
import type { KvStore } from '../engine/index.ts';
import {
  applyEdit,
  CanvasDocSchema,
  emptyDoc,
  type CanvasDoc,
  type EditResult,
} from './canvas-doc.ts';

/** Largest stored canvas document; an edit that would pass it is refused. */
export const MAX_DOC_BYTES = 512 * 1024;
/** Compare-and-set attempts of one edit before CONFLICT. */
export const CAS_ATTEMPTS = 20;
/** Longest pause between two attempts (the pause doubles from 1 ms, jittered). */
const MAX_BACKOFF_MS = 50;

/**
 * The canvases in the engine's KV, one document per space and generation
 * (`canvas.<space>.<gen>`), written only by compare-and-set: an edit reads the document,
 * applies its ops, and writes if nobody wrote in between, or starts over (up to
 * {@link CAS_ATTEMPTS}, then CONFLICT). Every write renews the TTL (sliding expiry).
 *
 * Edits of one space from this process run one at a time, so they never race each other:
 * only writes from other processes make the compare-and-set fail.
 */
export class CanvasStore {
  readonly #kv: KvStore;
  /** The tail of each space's queue of edits in this process. */
  readonly #queues = new Map<string, Promise<unknown>>();

  constructor(kv: KvStore) {
    this.#kv = kv;
  }

  /** The canvas (empty when it was never written or expired). */
  async read(space: string, gen: string): Promise<CanvasDoc> {
    const entry = await this.#kv.get(key(space, gen));
    return entry === undefined ? emptyDoc() : parse(entry.value);
  }

  /** Applies an edit; resolves once it is stored (or when it changed nothing). */
  edit(
    space: string,
    gen: string,
    ops: readonly SlotOp[],
    by: Author,
    ttlMs: number,
  ): Promise<EditResult> {
    const previous = this.#queues.get(space) ?? Promise.resolve();
    const run = previous.then(
      () => this.#edit(space, gen, ops, by, ttlMs),
      () => this.#edit(space, gen, ops, by, ttlMs),
    );
    const tail = run.catch(() => {});
    this.#queues.set(space, tail);
    void tail.then(() => {
      if (this.#queues.get(space) === tail) this.#queues.delete(space);
    });
    return run;
  }

  async #edit(
    space: string,
    gen: string,
    ops: readonly SlotOp[],
    by: Author,
    ttlMs: number,
  ): Promise<EditResult> {
    const k = key(space, gen);
    for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
      const entry = await this.#kv.get(k);
      const doc = entry === undefined ? emptyDoc() : parse(entry.value);
      const result = applyEdit(doc, ops, by);
      if (result.changes.length === 0) return result;
      const text = JSON.stringify(result.doc);
      if (Buffer.byteLength(text) > MAX_DOC_BYTES) {
        throw new McError('QUOTA_EXCEEDED', `a canvas is at most ${MAX_DOC_BYTES} bytes stored`);
      }
      const written = await this.#kv.compareAndSet(k, text, entry?.version ?? 0, ttlMs);
      if (written.ok) return result;
      // Another process wrote first: back off (doubling, jittered) and apply to its result.
      const pause = Math.min(MAX_BACKOFF_MS, 2 ** attempt) * (0.5 + Math.random());
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
    throw new McError('CONFLICT', `space ${space}: too many concurrent edits; send again`);
  }
}

function key(space: string, gen: string): string {
  return `canvas.${space}.${gen}`;
}

function parse(text: string): CanvasDoc {
  const parsed = CanvasDocSchema.safeParse(JSON.parse(text));
  if (!parsed.success) throw new McError('STORAGE_UNAVAILABLE', 'unreadable canvas document');
  return parsed.data;
}
