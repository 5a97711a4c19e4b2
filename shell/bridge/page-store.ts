import type { StateVersion, Subscription } from '../../sdk/client.ts';
import type { Host } from '../host/host.ts';
import type { CanvasLike, Slot } from '../model/canvas-model.ts';

/** What a {@link PageStore} follows: a canvas (`<mc-canvas>` or its model) and its host's states. */
export type PageStoreCanvas = CanvasLike<CanvasLike['host'] & Pick<Host, 'state'>>;

/** The canvas as page code sees it: the layout and the public states of the watched apps. */
export interface PageState {
  readonly layout: readonly Slot[];
  readonly states: Readonly<Record<string, StateVersion>>;
}

/**
 * A read-only store over a canvas's state for trusted page code (the seed's shared state
 * store): `get()` for a snapshot, `select(selector, listener)` to hear about changes of
 * one derived value only (compared with `equals`, default `Object.is`). Public state
 * values come from widgets: treat them as untrusted data.
 */
export class PageStore {
  readonly #canvas: PageStoreCanvas;
  readonly #stopLayout: () => void;
  readonly #listeners = new Set<() => void>();
  readonly #watches: Subscription[] = [];
  #state: PageState;

  constructor(canvas: PageStoreCanvas, apps: readonly string[]) {
    this.#canvas = canvas;
    this.#state = { layout: canvas.layout, states: {} };
    this.#stopLayout = canvas.onChange(this.#onLayout);
    for (const app of apps) {
      this.#watches.push(
        canvas.host.state.watch(app, (state) => {
          this.#set({ ...this.#state, states: { ...this.#state.states, [app]: state } });
        }),
      );
    }
  }

  /** The current snapshot (a new object after every change; never mutate it). */
  get(): PageState {
    return this.#state;
  }

  /**
   * Calls `listener(value, previous)` whenever `selector(state)` changes, and once with
   * the current value unless `fireImmediately` is false. Returns an unsubscribe function.
   */
  select<T>(
    selector: (state: PageState) => T,
    listener: (value: T, previous: T | undefined) => void,
    options: { equals?: (a: T, b: T) => boolean; fireImmediately?: boolean } = {},
  ): () => void {
    const equals = options.equals ?? Object.is;
    let current = selector(this.#state);
    const check = () => {
      const next = selector(this.#state);
      if (equals(next, current)) return;
      const previous = current;
      current = next;
      listener(next, previous);
    };
    this.#listeners.add(check);
    if (options.fireImmediately !== false) listener(current, undefined);
    return () => this.#listeners.delete(check);
  }

  /** Stops following the canvas. */
  close(): void {
    this.#stopLayout();
    for (const stop of this.#watches.splice(0)) stop();
    this.#listeners.clear();
  }

  #onLayout = (): void => {
    this.#set({ ...this.#state, layout: this.#canvas.layout });
  };

  #set(state: PageState): void {
    this.#state = state;
    for (const check of this.#listeners) check();
  }
}
