import type { AppContext, Manifest, ModalRequest, PixelSize } from '../../sdk/protocol/index.ts';
import type { Bounds } from './resize-governor.ts';

/**
 * What the slot's element does for the services: `<mc-frame>` implements it. Everything it
 * draws is host UI (labels come from the manifest); everything it gets is already checked.
 */
export interface ServiceSurface {
  /** The most a content-sized widget may take, in CSS px (the slot's box). */
  bounds(): Bounds;
  /** Applies a size (coalesced to one change per animation frame by the surface). */
  applySize(size: PixelSize, frozen: boolean): void;
  /** Shows a host-drawn dialog over the slot; resolves with the person's answer. */
  showModal(request: ModalRequest, signal: AbortSignal): Promise<boolean>;
  /** True while the widget's frame has the keyboard focus. */
  hasFocus(): boolean;
  /** Raises a declared shortcut as a host DOM event. */
  shortcut(combo: string): void;
}

/** The caller of a service: the mount, never anything the widget says about itself. */
export interface ServiceCaller {
  readonly manifest: Manifest;
  readonly slotId: string;
  /** The slot's element, when there is one (not for headless mounts). */
  readonly surface: ServiceSurface | undefined;
  /** True while a session is live (after `hello`, before it ends). */
  live(): boolean;
  /** Hands a changed context to the widget. */
  pushContext(context: AppContext): void;
}
