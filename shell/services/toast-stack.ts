import type { ToastRequest } from '../../sdk/protocol/index.ts';

/** A toast on screen. Text only: views render it as text, never as markup. */
export interface Toast {
  readonly id: number;
  readonly appId: string;
  /** The app's name from its manifest: the host's label, never the widget's words. */
  readonly appName: string;
  readonly text: string;
  readonly kind: ToastRequest['kind'];
}

/** How long a toast stays up. */
export const TOAST_LIFETIME_MS = 5000;
/** Most toasts on screen at once; the oldest goes first. */
export const MAX_TOASTS = 5;
/** Most toasts of one app on screen at once, so one app cannot fill the stack. */
export const MAX_TOASTS_PER_APP = 2;

/**
 * The host's toasts, as data: `<mc-toasts>` renders them and listens for `change`. Capped
 * on screen per app and in total; each expires after {@link TOAST_LIFETIME_MS}.
 */
export class ToastStack extends EventTarget {
  #toasts: Toast[] = [];
  #nextId = 1;
  readonly #timers = new Map<number, ReturnType<typeof setTimeout>>();
  /** Views currently showing this stack (`<mc-toasts>` elements). */
  viewers = 0;

  constructor(readonly lifetimeMs = TOAST_LIFETIME_MS) {
    super();
  }

  /** The toasts on screen, oldest first. */
  get toasts(): readonly Toast[] {
    return this.#toasts;
  }

  /** Shows a toast for `appId`, evicting the app's (then anyone's) oldest over the caps. */
  show(appId: string, appName: string, request: ToastRequest): Toast {
    const toast: Toast = { id: this.#nextId++, appId, appName, ...request };
    const own = this.#toasts.filter((t) => t.appId === appId);
    if (own.length >= MAX_TOASTS_PER_APP) this.#drop(own[0]!.id);
    if (this.#toasts.length >= MAX_TOASTS) this.#drop(this.#toasts[0]!.id);
    this.#toasts = [...this.#toasts, toast];
    this.#timers.set(
      toast.id,
      setTimeout(() => this.dismiss(toast.id), this.lifetimeMs),
    );
    this.dispatchEvent(new Event('change'));
    return toast;
  }

  /** Removes a toast (its close button, or its time ran out). */
  dismiss(id: number): void {
    if (this.#drop(id)) this.dispatchEvent(new Event('change'));
  }

  /** Removes everything and stops the timers. */
  destroy(): void {
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    this.#toasts = [];
    this.dispatchEvent(new Event('change'));
    this.dispatchEvent(new Event('destroy'));
  }

  #drop(id: number): boolean {
    clearTimeout(this.#timers.get(id));
    this.#timers.delete(id);
    const before = this.#toasts.length;
    this.#toasts = this.#toasts.filter((t) => t.id !== id);
    return this.#toasts.length !== before;
  }
}
