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
export const CAS_ATTEMPTS = 10;

/**
 * The canvases in the engine's KV, one document per space and generation
 * (`canvas.<space>.<gen>`), written only by compare-and-set: an edit reads the document,
 * applies its ops, and writes if nobody wrote in between, or starts over (up to
 * {@link CAS_ATTEMPTS}, then CONFLICT). Every write renews the TTL (sliding expiry).
 */
export class CanvasStore {
  readonly #kv: KvStore;

  constructor(kv: KvStore) {
    this.#kv = kv;
  }

  /** The canvas (empty when it was never written or expired). */
  async read(space: string, gen: string): Promise<CanvasDoc> {
    const entry = await this.#kv.get(key(space, gen));
    return entry === undefined ? emptyDoc() : parse(entry.value);
  }

  /** Applies an edit; resolves once it is stored (or when it changed nothing). */
  async edit(
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
      // Another process wrote first: back off a little (jittered) and apply to its result.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * (attempt + 1)));
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
