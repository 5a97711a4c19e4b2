import { deepActive } from './deep-active.ts';

/** A Tab key press counts as the gesture that moved focus into a frame this long after it. */
const TAB_GESTURE_MS = 1000;
/** How often the guard looks where focus is, besides the events that tell it. */
const FOCUS_POLL_MS = 250;
/** No hand clicks in the host page and then into a frame faster than this. */
const POINTER_TRAVEL_MS = 200;

/** What the guard calls when a watched frame took focus without a gesture. */
export type TheftListener = () => void;

/** Where focus was in the host page, to put it back. */
interface Place {
  element: HTMLElement;
  selection?: [number, number, 'forward' | 'backward' | 'none'];
}

/**
 * Keeps focus in the host page unless the user moves it into a widget (issue 14, item 2).
 *
 * A cross-site frame's script can call `focus()` on its own inputs at any time (Chromium and
 * Firefox let it, without user activation), and the keys the user types into the host's
 * search or password field then go to the widget. The host page sees only its window's
 * `blur` and the iframe becoming its active element. Focus may enter a frame through:
 * - the pointer: no key was pressed in the host page since the pointer last moved there, and
 *   the iframe is under the pointer (`:hover`), or (Chromium, which does not hover a frame in
 *   another process) the page had transient user activation when focus left it and the
 *   last press in the host page is more than {@link POINTER_TRAVEL_MS} old;
 * - the keyboard: a Tab (or Shift+Tab) pressed in the host that moved focus straight on;
 * - the host itself: {@link FocusGuard.allow} just before it focuses the frame.
 * Any other entry is a theft: focus goes back to where it was (with the caret and selection
 * of a text field) and the frame's listener is told, to record and act.
 */
export class FocusGuard {
  readonly #frames = new Map<HTMLIFrameElement, TheftListener>();
  #lastKey: { key: string; at: number; moved: boolean } | undefined;
  #lastPointerAt = -Infinity;
  #lastPressAt = -Infinity;
  /**
   * Whether the page had user activation when focus last left its content. A click into a
   * frame activates the page before focus moves; keys typed into a frame that took focus
   * activate it after (Chromium): judged later, a theft would pass for a click.
   */
  #activeAtLoss = false;
  /** When the guard last took focus back from a frame. */
  #lastTheftAt = -Infinity;
  #last: Place | undefined;
  #allowed: HTMLIFrameElement | undefined;
  /** The frame focus entered legitimately and has not left: not judged again. */
  #entered: HTMLIFrameElement | undefined;
  #poll: ReturnType<typeof setInterval> | undefined;

  constructor(readonly win: Window = window) {}

  /** Watches `iframe`; returns the function that stops watching it. */
  watch(iframe: HTMLIFrameElement, onTheft: TheftListener): () => void {
    if (this.#frames.size === 0) this.#listen(true);
    this.#frames.set(iframe, onTheft);
    return () => this.#unwatch(iframe, onTheft);
  }

  #listen(on: boolean): void {
    const { win } = this;
    const method = on ? win.addEventListener.bind(win) : win.removeEventListener.bind(win);
    method('keydown', this.#onKey as EventListener, true);
    method('pointermove', this.#onPointer, true);
    method('pointerdown', this.#onPointer, true);
    method('focusout', this.#onFocusOut as EventListener, true);
    method('focusin', this.#onFocusIn, true);
    method('blur', this.#onBlur);
    // A safety net for moves no event told of (a page without system focus fires no blur):
    // a watched frame holding focus it was not given is judged like any other entry.
    clearInterval(this.#poll);
    if (on) this.#poll = setInterval(this.#tick, FOCUS_POLL_MS);
  }

  #tick = (): void => {
    // A slot removed from the page takes its frame with it: stop watching it here.
    for (const [iframe, onTheft] of this.#frames) {
      if (!iframe.isConnected) this.#unwatch(iframe, onTheft);
    }
    this.#check(3);
  };

  #unwatch(iframe: HTMLIFrameElement, onTheft: TheftListener): void {
    if (this.#frames.get(iframe) !== onTheft) return;
    this.#frames.delete(iframe);
    if (this.#frames.size === 0) this.#listen(false);
  }

  #onKey = (event: KeyboardEvent): void => {
    if (!event.isTrusted) return;
    this.#lastKey = { key: event.key, at: performance.now(), moved: false };
    // A key that reaches the host page while a frame holds focus: the move went unseen
    // (Firefox fires no window blur while its window lacks system focus).
    if (event.key !== 'Tab') this.#check();
  };

  #onPointer = (event: Event): void => {
    if (!event.isTrusted) return;
    this.#lastPointerAt = performance.now();
    if (event.type === 'pointerdown') this.#lastPressAt = this.#lastPointerAt;
  };

  /** The host page is about to focus `iframe` itself: not a theft. */
  allow(iframe: HTMLIFrameElement): void {
    this.#allowed = iframe;
  }

  #onFocusIn = (): void => {
    // A Tab that moved focus within the host page was spent there.
    if (this.#lastKey) this.#lastKey.moved = true;
    this.#entered = undefined;
    this.#activeAtLoss = false;
  };

  #noteLoss(): void {
    const activation = (navigator as { userActivation?: { isActive: boolean } }).userActivation;
    this.#activeAtLoss = activation?.isActive === true;
  }

  #onFocusOut = (event: FocusEvent): void => {
    const element = event.composedPath()[0];
    if (!(element instanceof HTMLElement) || element instanceof HTMLIFrameElement) return;
    const place: Place = { element };
    if (element instanceof HTMLInputElement || element instanceof HTMLTextAreaElement) {
      try {
        const { selectionStart, selectionEnd, selectionDirection } = element;
        if (selectionStart !== null && selectionEnd !== null) {
          place.selection = [selectionStart, selectionEnd, selectionDirection ?? 'none'];
        }
      } catch {
        // Input types without a selection (number, email) throw on reading it.
      }
    }
    this.#last = place;
    this.#noteLoss();
    this.win.setTimeout(() => this.#check(), 0);
  };

  /** Focus left the host page's own content; where it went is known once the move is done. */
  #onBlur = (): void => {
    this.#noteLoss();
    // Chromium names the iframe as the active element during `blur`, Firefox only after it.
    this.win.setTimeout(() => this.#check(), 0);
  };

  #check(retries = 0): void {
    const { document } = this.win;
    const iframe = deepActive(document);
    if (!(iframe instanceof HTMLIFrameElement)) {
      // Focus in transit (Firefox names the frame a little later than the blur): look again.
      const inTransit = !document.activeElement || document.activeElement === document.body;
      if (inTransit && retries < 3) this.win.setTimeout(() => this.#check(retries + 1), 20);
      return;
    }
    const onTheft = this.#frames.get(iframe);
    if (!onTheft || iframe === this.#entered) return;
    const allowed = this.#allowed === iframe;
    this.#allowed = undefined;
    // From one widget straight into another: Tab out of a frame is not seen by the host,
    // so a move between frames is taken as the user's (the stated residual).
    const fromFrame = this.#entered !== undefined && this.#frames.has(this.#entered);
    if (allowed || fromFrame || this.#gesture(iframe)) {
      this.#entered = iframe;
      return;
    }
    this.#lastTheftAt = performance.now();
    this.#restore(iframe);
    onTheft();
  }

  #gesture(iframe: HTMLIFrameElement): boolean {
    const key = this.#lastKey;
    const now = performance.now();
    if (key?.key === 'Tab' && !key.moved && now - key.at < TAB_GESTURE_MS) return true;
    // Typing in the host page since the pointer last moved there: focus stays with the host.
    if (key !== undefined && key.at > this.#lastPointerAt) return false;
    // WebKitGTK marks the iframe under the pointer hovered. Chromium does not for a frame in
    // another process; there a click into it leaves only the page's user activation (a
    // click in a frame activates its ancestors too), which a press in the host page itself
    // also gives: so not within POINTER_TRAVEL_MS of one. Keys typed into a frame activate
    // the page too, so the activation counts as it was when focus left, and after a theft
    // only once the pointer has moved in the host page since (decision 0028).
    if (iframe.matches(':hover')) return true;
    const pointerSinceTheft =
      this.#lastTheftAt === -Infinity || this.#lastPointerAt > this.#lastTheftAt;
    return this.#activeAtLoss && pointerSinceTheft && now - this.#lastPressAt > POINTER_TRAVEL_MS;
  }

  #restore(iframe: HTMLIFrameElement): void {
    const place = this.#last;
    if (place?.element.isConnected) {
      place.element.focus({ preventScroll: true });
      const input = place.element as HTMLInputElement;
      if (place.selection) input.setSelectionRange(...place.selection);
    } else {
      // Focus was nowhere in particular (the page's body): take it back from the frame.
      iframe.blur();
    }
  }
}

let shared: FocusGuard | undefined;

/** The page's one focus guard. */
export function focusGuard(): FocusGuard {
  return (shared ??= new FocusGuard());
}
