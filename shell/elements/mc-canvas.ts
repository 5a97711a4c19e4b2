import { css, html, LitElement } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { styleMap } from 'lit/directives/style-map.js';

import { McError } from '../../sdk/protocol/index.ts';
import { Host } from '../host/host.ts';
import './mc-frame.ts';

/** Where a widget sits on the canvas, in CSS pixels. */
export interface Placement {
  /** The slot's id; generated when omitted. */
  slotId?: string;
  /** The registered app id. */
  app: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A placement with its slot id decided. */
export type Slot = Required<Placement>;

/**
 * A canvas of widgets. Owns (or shares) a {@link Host}; renders one `<mc-frame>` per slot
 * at its position and size.
 *
 * @fires mc-app-status - bubbled from each slot
 * @fires mc-app-connected - bubbled from each slot
 */
export class McCanvas extends LitElement {
  static override properties = {
    layout: { attribute: false },
  };

  /** The slots on the canvas. Assign a new array to change it; prefer `mount`/`unmount`. */
  declare layout: readonly Slot[];
  #host: Host | undefined;

  constructor() {
    super();
    this.layout = [];
  }

  /**
   * The host (manifests, broker Worker, host-side pub/sub). Created with default options on
   * first use; assign one first (`canvas.host = new Host({ … })`) to choose options or to
   * share one host between canvases.
   */
  get host(): Host {
    this.#host ??= new Host();
    return this.#host;
  }

  set host(host: Host) {
    if (this.layout.length > 0)
      throw new McError('INVALID_ARGUMENT', 'unmount every slot before replacing the host');
    this.#host = host;
    this.requestUpdate();
  }

  /** Mounts a widget of a registered app; returns the new slot's id. */
  mount(placement: Placement): string {
    if (!this.host.manifest(placement.app)) {
      throw new McError('UNKNOWN_APP', `no registered app "${placement.app}"`);
    }
    for (const key of ['x', 'y', 'width', 'height'] as const) {
      if (!Number.isFinite(placement[key]) || placement[key] < 0) {
        throw new McError('INVALID_ARGUMENT', `placement.${key} must be a finite number ≥ 0`);
      }
    }
    const slotId = placement.slotId ?? `slot-${crypto.randomUUID().slice(0, 8)}`;
    if (this.layout.some((s) => s.slotId === slotId)) {
      throw new McError('INVALID_ARGUMENT', `slot "${slotId}" already exists`);
    }
    this.layout = [...this.layout, { ...placement, slotId }];
    return slotId;
  }

  /** Removes a slot; its frame, port and subscriptions are released. */
  unmount(slotId: string): void {
    this.layout = this.layout.filter((s) => s.slotId !== slotId);
  }

  /** The `<mc-frame>` of a slot, once rendered. */
  frame(slotId: string): HTMLElementTagNameMap['mc-frame'] | null {
    return this.renderRoot.querySelector(`mc-frame[slot-id="${CSS.escape(slotId)}"]`);
  }

  protected override render() {
    return html`${repeat(
      this.layout,
      (slot) => slot.slotId,
      (slot) =>
        html`<mc-frame
          .host=${this.host}
          app=${slot.app}
          slot-id=${slot.slotId}
          style=${styleMap({
            left: `${slot.x}px`,
            top: `${slot.y}px`,
            width: `${slot.width}px`,
            height: `${slot.height}px`,
          })}
        ></mc-frame>`,
    )}`;
  }

  static override styles = css`
    :host {
      display: block;
      position: relative;
      min-height: 200px;
    }
    mc-frame {
      position: absolute;
    }
  `;
}

customElements.define('mc-canvas', McCanvas);

declare global {
  interface HTMLElementTagNameMap {
    'mc-canvas': McCanvas;
  }
}
