import type { Violation } from '../../sdk/protocol/index.ts';

/** Hellos with a wrong nonce a slot survives within one connect deadline. */
export const MAX_WRONG_HELLOS = 3;

/**
 * Counts a slot's hellos with a wrong or stale nonce. One is refused and recorded, but does
 * not end the slot: a second library in the widget's page, or a stale copy of the fragment,
 * can send one before (or after) the right hello. More than {@link MAX_WRONG_HELLOS}
 * within `windowMs` (the connect deadline) is guessing, and ends the slot.
 */
export class HelloGuard {
  #times: number[] = [];

  constructor(
    readonly appId: string,
    readonly slotId: string,
    readonly windowMs: number,
    readonly record: (violation: Violation) => void,
  ) {}

  /** Records one wrong hello; false when the slot has had too many. */
  wrong(detail: string): boolean {
    const now = performance.now();
    this.#times = this.#times.filter((t) => now - t < this.windowMs);
    this.#times.push(now);
    this.record({
      app: this.appId,
      connection: this.slotId,
      kind: 'handshake',
      detail,
      time: Date.now(),
    });
    return this.#times.length <= MAX_WRONG_HELLOS;
  }
}
