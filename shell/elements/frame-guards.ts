import { focusGuard } from '../frames/focus-guard.ts';
import { historyGuard } from '../frames/history-guard.ts';
import type { Host } from '../host/host.ts';
import type { Violation } from '../../sdk/protocol/index.ts';

/**
 * Focus thefts after which a slot is quarantined. One is forgiven (a widget that focuses
 * its own field once at start); a loop reaches the third in milliseconds.
 */
export const FOCUS_THEFTS = 3;

/**
 * History pollutions after which a slot is quarantined. The first is undone and recorded; a
 * widget has no business in the tab's history (it routes with `replaceState` or in memory),
 * and a second restore of the same size could not be seen (docs/decisions/0033-history-pollution.md).
 */
export const HISTORY_POLLUTIONS = 2;

/** What {@link FrameGuards} calls on a slot's session. */
export interface GuardedSession {
  quarantine(message: string): void;
  /** The history guard is about to take the frame back (a `load` follows in Chromium). */
  expectTraversal(): void;
}

/** What {@link FrameGuards} reads of `<mc-frame>`. */
export interface GuardedSlot {
  readonly host: Host | undefined;
  readonly app: string;
  readonly slotId: string;
}

/**
 * This module and the guards load with the first mount, not with the page
 * (docs/decisions/0012-performance.md): `<mc-frame>` imports it with `import()`.
 *
 * What the host page watches a slot's frame for besides its messages (issue 14): focus taken
 * without a user gesture. Each theft is undone and recorded as a violation (kind `focus`,
 * in the broker's log and as `mc-violation`); a repeat offender is quarantined. Counts
 * belong to the slot, not to one session: a reload does not clear them, the user's Reload
 * of a quarantined slot does.
 */
export class FrameGuards {
  readonly #slot: GuardedSlot;
  /** The slot's current session, whose quarantine stops the frame. */
  #session: GuardedSession | undefined;
  #unwatch: (() => void) | undefined;
  #thefts = 0;
  #pollutions = 0;
  #quarantined = false;

  constructor(slot: GuardedSlot) {
    this.#slot = slot;
  }

  /** Watches the slot's (new) iframe, mounted by `session`. */
  watch(iframe: HTMLIFrameElement, session: GuardedSession): void {
    this.unwatch();
    this.#session = session;
    // A quarantined slot comes back only by a person's Reload: a fresh start for the counts.
    if (this.#quarantined) {
      this.#thefts = 0;
      this.#pollutions = 0;
    }
    this.#quarantined = false;
    const unwatchFocus = focusGuard().watch(iframe, () => this.#onFocusTheft());
    const unwatchHistory = historyGuard().watch(iframe, (n) => this.#onHistoryPollution(n));
    this.#unwatch = () => {
      unwatchFocus();
      unwatchHistory();
    };
  }

  /** The host page is about to focus the slot's frame itself (not a theft). */
  allow(iframe: HTMLIFrameElement | null): void {
    if (iframe) focusGuard().allow(iframe);
  }

  /** Stops watching (the slot left the document). */
  unwatch(): void {
    this.#unwatch?.();
    this.#unwatch = undefined;
  }

  #onFocusTheft(): void {
    this.#report('focus', 'took focus without a user gesture');
    if (++this.#thefts !== FOCUS_THEFTS) return;
    this.#quarantined = true;
    this.#session?.quarantine('took focus');
  }

  #onHistoryPollution(entries: number): void {
    this.#session?.expectTraversal();
    this.#report('history', `added ${entries} entries to the tab's history; taken back`);
    if (++this.#pollutions !== HISTORY_POLLUTIONS) return;
    this.#quarantined = true;
    this.#session?.quarantine('wrote to the tab history');
  }

  #report(kind: Violation['kind'], detail: string): void {
    const { host, app, slotId } = this.#slot;
    host?.reportViolation({ app, connection: slotId, kind, detail, time: Date.now() });
  }
}
