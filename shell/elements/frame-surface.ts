import type { LitElement, ReactiveController } from 'lit';

import type { ModalRequest, PixelSize } from '../../sdk/protocol/index.ts';
import type { Bounds } from '../services/resize-governor.ts';
import type { ServiceSurface } from '../services/service-surface.ts';
import { loadDialog } from './lazy-views.ts';
import { McAppResizedEvent, McResizeFrozenEvent, McShortcutEvent } from './service-events.ts';

/** The element a {@link FrameSurface} serves: `<mc-frame>`. */
export type SurfaceElement = LitElement & { readonly slotId: string; readonly app: string };

/**
 * What host services do to one slot, as a Lit controller of `<mc-frame>`: the applied
 * content size (at most one change per animation frame), the open dialog, the focus check
 * and shortcut events. The element renders from `contentSize` and `dialog`.
 */
export class FrameSurface implements ServiceSurface, ReactiveController {
  /** The widget-requested size applied to the frame (content-driven axes only). */
  contentSize: PixelSize = {};
  /** The open host-drawn dialog, if any. */
  dialog: { request: ModalRequest; answer: (confirmed: boolean) => void } | undefined;
  readonly #element: SurfaceElement;
  #pending: { size: PixelSize; frozen: boolean } | undefined;
  #frame = 0;

  constructor(element: SurfaceElement) {
    this.#element = element;
    element.addController(this);
  }

  hostDisconnected(): void {
    cancelAnimationFrame(this.#frame);
    this.#pending = undefined;
  }

  /** Forgets the applied size (a remount starts from the slot's box again). */
  reset(): void {
    this.contentSize = {};
    this.#element.requestUpdate();
  }

  /** The slot's box below the header: the most a content-sized widget may take. */
  bounds(): Bounds {
    const element = this.#element;
    const header = element.renderRoot.querySelector('header');
    return {
      width: element.clientWidth,
      height: Math.max(0, element.clientHeight - (header?.offsetHeight ?? 0)),
    };
  }

  /** Applies a size on the next animation frame; later requests in the same frame win. */
  applySize(size: PixelSize, frozen: boolean): void {
    const first = this.#pending === undefined;
    this.#pending = { size, frozen: frozen || (this.#pending?.frozen ?? false) };
    if (!first) return;
    this.#frame = requestAnimationFrame(() => {
      const pending = this.#pending;
      this.#pending = undefined;
      if (!pending) return;
      const element = this.#element;
      this.contentSize = { ...this.contentSize, ...pending.size };
      element.requestUpdate();
      const { width, height } = pending.size;
      element.dispatchEvent(new McAppResizedEvent(element.slotId, element.app, width, height));
      if (pending.frozen)
        element.dispatchEvent(new McResizeFrozenEvent(element.slotId, element.app));
    });
  }

  /** Opens the host-drawn dialog over the slot; resolves false when `signal` aborts. */
  async showModal(request: ModalRequest, signal: AbortSignal): Promise<boolean> {
    // <mc-dialog> loads with the first dialog (docs/decisions/0012-performance.md).
    await loadDialog();
    if (signal.aborted) return false;
    return new Promise((resolve) => {
      const answer = (confirmed: boolean) => {
        signal.removeEventListener('abort', onAbort);
        if (this.dialog?.answer === answer) {
          this.dialog = undefined;
          this.#element.requestUpdate();
        }
        resolve(confirmed);
      };
      const onAbort = () => answer(false);
      signal.addEventListener('abort', onAbort);
      this.dialog = { request, answer };
      this.#element.requestUpdate();
    });
  }

  /** True while focus is inside this slot's frame. */
  hasFocus(): boolean {
    const root = this.#element.renderRoot as ShadowRoot;
    const iframe = root.querySelector('iframe');
    return iframe !== null && root.activeElement === iframe;
  }

  /** Raises `mc-shortcut` for a declared, focused shortcut. */
  shortcut(combo: string): void {
    const element = this.#element;
    element.dispatchEvent(new McShortcutEvent(element.slotId, element.app, combo));
  }

  /** The iframe's style: content-driven axes get a fixed size, the others fill the slot. */
  sizeStyle(): Record<string, string> {
    const style: Record<string, string> = {};
    const { width, height } = this.contentSize;
    if (width !== undefined) style.width = `${width}px`;
    if (height !== undefined) {
      style.height = `${height}px`;
      style.flex = 'none';
    }
    return style;
  }
}
