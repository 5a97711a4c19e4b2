import { McError } from '../shell/index.ts';

/** How long the simulator's `expect…` helpers wait by default. */
export const EXPECT_TIMEOUT_MS = 10_000;

interface Waiter {
  look(): boolean;
}

/**
 * Promises that settle when something the simulator records comes true: each looks again
 * whenever a record changes, and fails after its deadline with a message that says what was
 * awaited and what was seen instead.
 */
export class Waiters {
  readonly #waiting = new Set<Waiter>();

  /** Looks again for everything awaited (after a record changed). */
  changed(): void {
    for (const waiter of [...this.#waiting]) waiter.look();
  }

  /**
   * Resolves with `find()`'s first result that is not undefined; rejects with
   * `CALL_TIMEOUT` after `timeoutMs`, the message being `what` and then `seen()`.
   */
  until<T>(
    find: () => T | undefined,
    what: string,
    seen: () => string,
    timeoutMs = EXPECT_TIMEOUT_MS,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter = {
        look: () => {
          let found: T | undefined;
          try {
            found = find();
          } catch (error) {
            this.#waiting.delete(waiter);
            clearTimeout(timer);
            reject(error);
            return true;
          }
          if (found === undefined) return false;
          this.#waiting.delete(waiter);
          clearTimeout(timer);
          resolve(found);
          return true;
        },
      };
      const timer = setTimeout(() => {
        this.#waiting.delete(waiter);
        reject(new McError('CALL_TIMEOUT', `${what} within ${timeoutMs} ms; ${seen()}`));
      }, timeoutMs);
      this.#waiting.add(waiter);
      waiter.look();
    });
  }
}
