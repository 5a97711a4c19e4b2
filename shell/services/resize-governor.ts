import {
  OSCILLATION_WINDOW_MS,
  type PixelSize,
  type ResizeRequest,
  type ResizeResult,
  type SizePolicy,
} from '../../sdk/protocol/index.ts';

/** A slot's box in CSS pixels: the most a content-sized widget may take. */
export type Bounds = Required<PixelSize>;

/**
 * Decides what a widget's `resize` request turns into, for one session. Only axes the
 * manifest makes `content`-driven follow the widget; each is clamped to [manifest min,
 * min(manifest max, slot bounds)], so a widget never leaves its box. A size that flips
 * A → B → A → B within {@link OSCILLATION_WINDOW_MS} is a feedback loop (content that
 * reflows when its frame resizes): resizing freezes at the larger of the two sizes, so all
 * the content shows, and stays frozen for the rest of the session.
 */
export class ResizeGovernor {
  readonly #policy: SizePolicy;
  readonly #now: () => number;
  #history: Array<{ key: string; size: PixelSize; at: number }> = [];
  #frozen: PixelSize | undefined;

  constructor(policy: SizePolicy, now: () => number = () => performance.now()) {
    this.#policy = policy;
    this.#now = now;
  }

  /** True once an oscillation froze resizing. */
  get frozen(): boolean {
    return this.#frozen !== undefined;
  }

  /** The size to apply for `request` (no axis when nothing changes), and the freeze state. */
  decide(request: ResizeRequest, bounds: Bounds): ResizeResult {
    if (this.#frozen) return { ...this.#frozen, frozen: true };
    const size: PixelSize = {};
    for (const axis of ['width', 'height'] as const) {
      const { mode, min, max } = this.#policy[axis];
      const wanted = request[axis];
      if (mode !== 'content' || wanted === undefined) continue;
      const upper = Math.max(0, Math.min(max ?? Infinity, bounds[axis]));
      size[axis] = Math.round(Math.min(Math.max(wanted, min), upper));
    }
    if (size.width === undefined && size.height === undefined) return { frozen: false };
    const key = `${size.width ?? ''}x${size.height ?? ''}`;
    const now = this.#now();
    const last = this.#history.at(-1);
    if (last?.key === key) return { ...size, frozen: false };
    this.#history = this.#history.filter((h) => now - h.at < OSCILLATION_WINDOW_MS);
    this.#history.push({ key, size, at: now });
    const h = this.#history.slice(-4);
    if (h.length === 4 && h[3]!.key === h[1]!.key && h[2]!.key === h[0]!.key) {
      this.#frozen = larger(h[2]!.size, h[3]!.size);
      return { ...this.#frozen, frozen: true };
    }
    return { ...size, frozen: false };
  }
}

function larger(a: PixelSize, b: PixelSize): PixelSize {
  const size: PixelSize = {};
  if (a.width !== undefined || b.width !== undefined)
    size.width = Math.max(a.width ?? 0, b.width ?? 0);
  if (a.height !== undefined || b.height !== undefined)
    size.height = Math.max(a.height ?? 0, b.height ?? 0);
  return size;
}
