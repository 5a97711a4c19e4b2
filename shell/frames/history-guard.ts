import { deepActive } from './deep-active.ts';

/** How often the guard compares `history.length` with what the host page itself did. */
const HISTORY_POLL_MS = 250;
/**
 * After the host page's own history change, growth within this long is the host's: Firefox
 * updates the top page's `history.length` a task after its own `pushState`.
 */
const OWN_SETTLE_MS = 1000;

/**
 * How long a restore's `history.go(-n)` is given to land before the guard pushes. WebKitGTK
 * cancels a traversal that a push in the same task follows; both engines landed it within
 * tens of milliseconds (measured on a loaded 2-core machine: 400 ms was ample).
 */
const RESTORE_LANDING_MS = 500;

/**
 * What the guard calls when a watched frame added `entries` to the tab's history, just
 * before it takes them back.
 */
export type PollutionListener = (entries: number) => void;

/** The Navigation API, where the engine has it (Chromium, Firefox; not WebKitGTK 2.50). */
interface NavigationLike extends EventTarget {
  readonly currentEntry: unknown;
}

/**
 * Keeps the user's Back button for the host page (issue 14, item 1).
 *
 * A widget frame's `history.pushState` adds entries to the tab's joint session history:
 * after a click inside a widget that pushed five states, the user's Back walks the widget's
 * five entries (only the frame changes) before it reaches the host page's previous entry.
 * The host page gets no event for them, but Chromium and WebKitGTK count them in the top
 * page's `history.length` (as does Firefox for a frame in the page's own process; a
 * cross-site frame in another process is not counted there, see docs/engines.md).
 *
 * Growth of `history.length` that is not the host page's own (no change of its URL or of
 * its Navigation API entry, no popstate or hashchange) while a watched frame holds focus
 * (the click inside it) is that frame's. The guard then moves the tab back by exactly that
 * growth with `history.go(-n)`: the frame's entries were all added after the host's
 * current entry (its entry did not change since), and entries added by a frame with the
 * user's activation are not skippable, so `-n` lands on the frame's state before them
 * (measured in Chromium and WebKitGTK). Only the frame moves; the host page sees no
 * popstate. A copy of the host's entry pushed from there then prunes the frame's entries
 * (see {@link HistoryGuard.#restore}): the user's Back costs one press more than it would
 * have, not one per entry the frame added.
 *
 * The guard never goes back further than growth it saw appear after the host's own entry;
 * growth without a focused watched frame is left alone.
 */
export class HistoryGuard {
  readonly #frames = new Map<HTMLIFrameElement, PollutionListener>();
  /** `history.length` as last accounted for. */
  #known = 0;
  /** `history.length` at the last check that saw it grow, until it stops growing. */
  #growing = -1;
  /** A restore whose traversal has not landed yet: no other check until it has. */
  #restoring = false;
  #pushing = false;
  /** Where the host page last was: its URL, as the host's own changes move it. */
  #href = '';
  #ownUntil = -Infinity;
  #poll: ReturnType<typeof setInterval> | undefined;

  constructor(readonly win: Window = window) {}

  /** Watches `iframe`; returns the function that stops watching it. */
  watch(iframe: HTMLIFrameElement, onPollution: PollutionListener): () => void {
    if (this.#frames.size === 0) this.#listen(true);
    this.#frames.set(iframe, onPollution);
    return () => this.#unwatch(iframe, onPollution);
  }

  #unwatch(iframe: HTMLIFrameElement, onPollution: PollutionListener): void {
    if (this.#frames.get(iframe) !== onPollution) return;
    this.#frames.delete(iframe);
    if (this.#frames.size === 0) this.#listen(false);
  }

  #listen(on: boolean): void {
    const { win } = this;
    const method = on ? win.addEventListener.bind(win) : win.removeEventListener.bind(win);
    method('popstate', this.#own);
    method('hashchange', this.#own);
    // The Navigation API tells of every change of the host's own entry, its pushState with
    // an unchanged URL included (a frame's pushState does not change the top's entry).
    const navigation = (win as { navigation?: NavigationLike }).navigation;
    if (on) navigation?.addEventListener('currententrychange', this.#own);
    else navigation?.removeEventListener('currententrychange', this.#own);
    clearInterval(this.#poll);
    this.#poll = undefined;
    if (on) {
      this.#own();
      this.#poll = setInterval(this.#tick, HISTORY_POLL_MS);
    }
  }

  /** The host page changed its own history (or the user traversed it): account for it. */
  #own = (): void => {
    if (this.#pushing) return;
    this.#accept();
    this.#ownUntil = performance.now() + OWN_SETTLE_MS;
  };

  /** The tab's history as it is now is accounted for. */
  #accept(): void {
    this.#known = this.win.history.length;
    this.#growing = -1;
    this.#href = this.win.location.href;
  }

  #tick = (): void => {
    for (const [iframe, onPollution] of this.#frames) {
      if (!iframe.isConnected) this.#unwatch(iframe, onPollution);
    }
    this.check();
  };

  /** Looks for growth that is not the host's own; the poll calls it, tests may too. */
  check(): void {
    const { history, location } = this.win;
    const length = history.length;
    if (this.#restoring) return;
    // A change of the host's URL (a link, a router on an engine without the Navigation
    // API) is the host's, whether or not the length moved (a push from behind the end
    // prunes as many entries as it adds); so is any change while the host's settles.
    if (location.href !== this.#href) {
      this.#own();
      return;
    }
    if (length === this.#known) return;
    if (performance.now() < this.#ownUntil) {
      this.#own();
      return;
    }
    // A burst of pushes reaches this page's length one at a time (Chromium counts them in the
    // browser process): wait one poll for it to stop growing, so all of it is taken back.
    if (length !== this.#growing) {
      this.#growing = length;
      return;
    }
    const grown = length - this.#known;
    this.#known = length;
    this.#growing = -1;
    // Shorter: a push from behind the end pruned what was ahead (the user went Back and a
    // frame pushed from there); what it added is not known (docs/engines.md).
    if (grown <= 0) return;
    const iframe = deepActive(this.win.document);
    const onPollution = iframe instanceof HTMLIFrameElement ? this.#frames.get(iframe) : undefined;
    if (!onPollution) return;
    // Told first: the slot's session must know the frame's coming `load` is this traversal.
    onPollution(grown);
    this.#restore(grown);
  }

  /**
   * Back over exactly the frame's entries: only the frame moves, the host entry stays. Then,
   * once that traversal has landed (the host page cannot see it land: only the frame
   * moved), a copy of the host's entry pushed from there prunes the frame's entries, now
   * ahead. Left in place, they would make the frame's next push of as many entries
   * invisible (it prunes them and the length stays). The copy costs the user one Back that
   * changes nothing; the frame's entries cost one each.
   */
  #restore(entries: number): void {
    const { history, location } = this.win;
    this.#restoring = true;
    history.go(-entries);
    this.win.setTimeout(() => {
      // The Navigation API tells of this push too: it is not the host page's own change,
      // whose settling time would let a frame's push pass for the host's.
      this.#pushing = true;
      try {
        history.pushState(history.state, '', location.href);
      } finally {
        this.#pushing = false;
        this.#restoring = false;
      }
      this.#accept();
    }, RESTORE_LANDING_MS);
  }
}

let shared: HistoryGuard | undefined;

/** The page's one history guard. */
export function historyGuard(): HistoryGuard {
  return (shared ??= new HistoryGuard());
}
