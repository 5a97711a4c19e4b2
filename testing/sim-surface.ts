import type { Bounds, ModalRequest, PixelSize, ServiceSurface } from '../shell/index.ts';

/** A modal answer: the same for every dialog, or decided per dialog. */
export type ModalAnswer = boolean | ((request: ModalRequest) => boolean | Promise<boolean>);

/** A size the host applied to the widget's frame (content-driven axes only). */
export interface AppliedSize {
  readonly width?: number;
  readonly height?: number;
  /** True once the host froze resizing (the widget's size oscillated). */
  readonly frozen: boolean;
}

/** What the simulated slot records of the widget's service calls. */
export interface SurfaceRecord {
  readonly resizes: AppliedSize[];
  readonly modals: ModalRequest[];
  readonly shortcuts: string[];
  /** Called after each record, so that waiters can look again. */
  changed(): void;
}

/**
 * The slot of a simulated widget: what `<mc-frame>` does for host services, without
 * drawing. Sizes are applied to the iframe (so the widget reflows as it would) and recorded;
 * dialogs are answered by the test's stub and recorded; shortcuts are recorded.
 */
export class SimSurface implements ServiceSurface {
  constructor(
    readonly iframe: HTMLIFrameElement,
    readonly box: Bounds,
    readonly record: SurfaceRecord,
    public answer: ModalAnswer,
  ) {}

  bounds(): Bounds {
    return { ...this.box };
  }

  applySize(size: PixelSize, frozen: boolean): void {
    const { width, height } = size;
    if (width !== undefined) this.iframe.style.width = `${width}px`;
    if (height !== undefined) this.iframe.style.height = `${height}px`;
    const applied: { width?: number; height?: number; frozen: boolean } = { frozen };
    if (width !== undefined) applied.width = width;
    if (height !== undefined) applied.height = height;
    this.record.resizes.push(applied);
    this.record.changed();
  }

  async showModal(request: ModalRequest, signal: AbortSignal): Promise<boolean> {
    this.record.modals.push(request);
    this.record.changed();
    const answer = typeof this.answer === 'function' ? await this.answer(request) : this.answer;
    return signal.aborted ? false : answer;
  }

  hasFocus(): boolean {
    return document.activeElement === this.iframe;
  }

  shortcut(combo: string): void {
    this.record.shortcuts.push(combo);
    this.record.changed();
  }
}
