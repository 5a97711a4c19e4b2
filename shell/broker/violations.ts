import type { Violation, ViolationKind } from '../../sdk/protocol/index.ts';

export type { Violation, ViolationKind };

/** How many violations are kept; older ones are dropped but still counted. */
export const VIOLATION_LOG_SIZE = 500;

/** A bounded log of refusals plus per-kind counters that never reset. */
export class ViolationLog {
  readonly #entries: Violation[] = [];
  readonly #counts = new Map<ViolationKind, number>();
  #listener: ((violation: Violation) => void) | undefined;

  constructor(listener?: (violation: Violation) => void) {
    this.#listener = listener;
  }

  record(violation: Violation): void {
    this.#entries.push(violation);
    if (this.#entries.length > VIOLATION_LOG_SIZE) this.#entries.shift();
    this.#counts.set(violation.kind, (this.#counts.get(violation.kind) ?? 0) + 1);
    this.#listener?.(violation);
  }

  /**
   * Counts `n` more violations of `kind` without an entry or a listener call: the repeats
   * of one refusal that already has an entry (a flooder's strikes). Counts stay exact; the
   * log is not filled with copies that would push other apps' entries out.
   */
  count(kind: ViolationKind, n = 1): void {
    this.#counts.set(kind, (this.#counts.get(kind) ?? 0) + n);
  }

  entries(): Violation[] {
    return [...this.#entries];
  }

  counts(): Record<string, number> {
    return Object.fromEntries(this.#counts);
  }

  total(): number {
    let sum = 0;
    for (const n of this.#counts.values()) sum += n;
    return sum;
  }
}
