import { css, html, LitElement, nothing, type PropertyValues } from 'lit';

import { keyed } from 'lit/directives/keyed.js';
import { styleMap } from 'lit/directives/style-map.js';

import type { ModalRequest } from '../../sdk/protocol/index.ts';

import { FrameSession, type FrameStatus, type SessionChange } from '../frames/frame-session.ts';
import { allowAttribute, sandboxAttribute } from '../frames/sandbox.ts';
import type { Host } from '../host/host.ts';
import { McBrokerRestartedEvent, McSuspendedEvent } from '../host/host-events.ts';
import type { Bounds } from '../services/resize-governor.ts';
import type { ServiceSurface } from '../services/service-surface.ts';
import { LIFECYCLE_EVENTS, McAppLifecycleEvent, McAppStatusEvent } from './events.ts';
import { McDialogCloseEvent } from './mc-dialog.ts';
import { ensureToastView } from './mc-toasts.ts';
import { McAppResizedEvent, McResizeFrozenEvent, McShortcutEvent } from './service-events.ts';

/** Automatic remounts of an unresponsive widget before the slot waits for a person. */
export const AUTO_RESTARTS = 3;
/** The first automatic remount's delay; each next one doubles it. */
export const AUTO_RESTART_BASE_MS = 15_000;

/**
 * One widget slot: a host-drawn label and status above a sandboxed iframe on the app's own
 * site. The iframe is created once with its sandbox already set and never re-pointed by
 * the element; the mount logic lives in {@link FrameSession}.
 *
 * @fires mc-app-status - whenever the status changes
 * @fires mc-app-connected - the first session started
 * @fires mc-app-reconnected - a new session started after a reload or navigation
 * @fires mc-app-disconnected - a session ended
 * @fires mc-app-unresponsive - heartbeats were missed (hung or crashed)
 * @fires mc-app-responsive - heartbeats are answered again
 * @fires mc-app-resized - a widget-requested size was applied (at most once a frame)
 * @fires mc-resize-frozen - the widget's size oscillated; resizing stops for the session
 * @fires mc-shortcut - the focused widget forwarded a shortcut its manifest declares
 */
export class McFrame extends LitElement implements ServiceSurface {
  static override properties = {
    host: { attribute: false },
    app: {},
    slotId: { attribute: 'slot-id' },
    status: { state: true },
    contentSize: { state: true },
    dialog: { state: true },
  };

  /** The host whose broker and manifests this slot uses. */
  declare host: Host | undefined;
  /** The registered app id to mount. */
  declare app: string;
  /** The slot's id: its identity in the broker. */
  declare slotId: string;
  /** The current status (read-only for users). */
  declare status: FrameStatus;
  /** The widget-requested content size applied to the frame (host services: resize). */
  declare contentSize: { width?: number; height?: number };
  /** The open host-drawn dialog, if any (host services: modal). */
  declare dialog: { request: ModalRequest; answer: (confirmed: boolean) => void } | undefined;

  #session: FrameSession | undefined;
  #autoRestarts = 0;
  #restartTimer: ReturnType<typeof setTimeout> | undefined;
  /** Bumped by `restart()`: a new iframe element, a new nonce, a new mount. */
  #generation = 0;
  #pendingSize: { size: { width?: number; height?: number }; frozen: boolean } | undefined;
  #sizeFrame = 0;

  constructor() {
    super();
    this.app = '';
    this.slotId = '';
    this.status = { state: 'loading' };
    this.contentSize = {};
    this.dialog = undefined;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.host?.removeEventListener(McSuspendedEvent.type, this.#onSuspended);
    this.host?.removeEventListener(McBrokerRestartedEvent.type, this.#onBrokerRestarted);
    clearTimeout(this.#restartTimer);
    cancelAnimationFrame(this.#sizeFrame);
    this.#session?.destroy();
    this.#session = undefined;
  }

  /** The slot's box below the header: the most a content-sized widget may take. */
  bounds(): Bounds {
    const header = this.renderRoot.querySelector('header');
    return {
      width: this.clientWidth,
      height: Math.max(0, this.clientHeight - (header?.offsetHeight ?? 0)),
    };
  }

  /** Applies a size on the next animation frame; later requests in the same frame win. */
  applySize(size: { width?: number; height?: number }, frozen: boolean): void {
    const first = this.#pendingSize === undefined;
    this.#pendingSize = { size, frozen: frozen || (this.#pendingSize?.frozen ?? false) };
    if (!first) return;
    this.#sizeFrame = requestAnimationFrame(() => {
      const pending = this.#pendingSize!;
      this.#pendingSize = undefined;
      this.contentSize = { ...this.contentSize, ...pending.size };
      const { width, height } = pending.size;
      this.dispatchEvent(new McAppResizedEvent(this.slotId, this.app, width, height));
      if (pending.frozen) this.dispatchEvent(new McResizeFrozenEvent(this.slotId, this.app));
    });
  }

  /** Opens the host-drawn dialog over the slot; resolves false when `signal` aborts. */
  showModal(request: ModalRequest, signal: AbortSignal): Promise<boolean> {
    return new Promise((resolve) => {
      const answer = (confirmed: boolean) => {
        signal.removeEventListener('abort', onAbort);
        if (this.dialog?.answer === answer) this.dialog = undefined;
        resolve(confirmed);
      };
      const onAbort = () => answer(false);
      signal.addEventListener('abort', onAbort);
      this.dialog = { request, answer };
    });
  }

  /** True while focus is inside this slot's frame. */
  hasFocus(): boolean {
    const iframe = this.renderRoot.querySelector('iframe');
    return iframe !== null && (this.renderRoot as ShadowRoot).activeElement === iframe;
  }

  /** Raises `mc-shortcut` for a declared, focused shortcut. */
  shortcut(combo: string): void {
    this.dispatchEvent(new McShortcutEvent(this.slotId, this.app, combo));
  }

  /** Remounts the widget in a fresh iframe (the reload button of a quarantined slot). */
  async restart(): Promise<void> {
    clearTimeout(this.#restartTimer);
    this.#session?.destroy();
    this.#session = undefined;
    this.#generation++;
    this.status = { state: 'loading' };
    this.contentSize = {};
    await this.updateComplete;
    this.#mount();
  }

  /** Current session number of this mount (0 before the first hello). */
  get epoch(): number {
    return this.#session?.epoch ?? 0;
  }

  protected override firstUpdated(_changed: PropertyValues): void {
    this.host?.addEventListener(McSuspendedEvent.type, this.#onSuspended);
    this.host?.addEventListener(McBrokerRestartedEvent.type, this.#onBrokerRestarted);
    if (this.host) ensureToastView(this.host);
    this.#mount();
  }

  #mount(): void {
    const manifest = this.host?.manifest(this.app);
    const iframe = this.renderRoot.querySelector('iframe');
    if (!this.host || !manifest || !iframe) {
      this.#onStatus({ state: 'error', code: 'UNKNOWN_APP', message: `no app "${this.app}"` });
      return;
    }
    const session = new FrameSession(
      this.host,
      manifest,
      this.slotId,
      (s, change) => {
        if (this.#session === session) this.#onStatus(s, change);
      },
      this,
    );
    this.#session = session;
    session.start(iframe, this);
  }

  protected override render() {
    const manifest = this.host?.manifest(this.app);
    const name = manifest?.name ?? this.app;
    const { state } = this.status;
    return html`
      <header part="header">
        <span class="name" title=${name}>${name}</span>
        <span class="status ${state}" part="status" role="status">${statusText(this.status)}</span>
        ${
          state === 'quarantined' || state === 'error' || state === 'unresponsive'
            ? html`<button part="restart" class="restart" @click=${() => void this.restart()}>
                Reload
              </button>`
            : nothing
        }
      </header>
      ${
        manifest
          ? keyed(
              this.#generation,
              html`<iframe
                part="frame"
                title=${name}
                sandbox=${sandboxAttribute()}
                allow=${allowAttribute(manifest.permissions)}
                referrerpolicy="origin"
                loading="eager"
                ?inert=${this.dialog !== undefined}
                style=${styleMap(sizeStyle(this.contentSize))}
              ></iframe>`,
            )
          : nothing
      }
      ${
        this.dialog
          ? html`<mc-dialog
              .appName=${name}
              .request=${this.dialog.request}
              @mc-dialog-close=${(e: McDialogCloseEvent) => this.dialog?.answer(e.confirmed)}
            ></mc-dialog>`
          : nothing
      }
    `;
  }

  #onStatus(status: FrameStatus, change?: SessionChange): void {
    this.status = status;
    if (change === 'responsive' || change === 'connected') clearTimeout(this.#restartTimer);
    if (change === 'responsive') this.#autoRestarts = 0;
    if (change === 'unresponsive') this.#scheduleRestart();
    this.dispatchEvent(new McAppStatusEvent(this.slotId, this.app, status));
    if (change) {
      const epoch = this.#session?.epoch ?? 0;
      this.dispatchEvent(
        new McAppLifecycleEvent(LIFECYCLE_EVENTS[change], this.slotId, this.app, epoch),
      );
      this.host?.announce(change, this.slotId, this.app, epoch);
    }
  }

  /**
   * A widget that stopped answering (a crashed renderer, or a hang) is remounted after a
   * backoff of 15, 30, then 60 s (a widget that is only busy for a while, or a loaded machine, recovers first); after that the slot stays unresponsive with its Reload button.
   */
  #scheduleRestart(): void {
    if (this.#autoRestarts >= AUTO_RESTARTS) return;
    const delay = AUTO_RESTART_BASE_MS * 2 ** this.#autoRestarts++;
    clearTimeout(this.#restartTimer);
    this.#restartTimer = setTimeout(() => void this.restart(), delay);
  }

  /** The widget's port died with the old broker: remount it into a new session. */
  #onBrokerRestarted = (): void => {
    if (this.status.state !== 'quarantined') void this.restart();
  };

  #onSuspended = (event: Event): void => {
    if ((event as McSuspendedEvent).slotId === this.slotId) this.#session?.suspend();
  };

  static override styles = css`
    :host {
      display: flex;
      flex-direction: column;
      position: relative;
      box-sizing: border-box;
      border: 1px solid var(--mc-border, #d0d5dd);
      border-radius: 10px;
      background: var(--mc-surface, #fff);
      overflow: hidden;
      box-shadow: 0 1px 2px rgb(16 24 40 / 6%);
    }
    header {
      display: flex;
      align-items: center;
      gap: 8px;
      padding: 6px 10px;
      font:
        600 13px/1.4 system-ui,
        sans-serif;
      color: var(--mc-text, #101828);
      background: var(--mc-header, #f9fafb);
      border-bottom: 1px solid var(--mc-border, #eaecf0);
      user-select: none;
    }
    .name {
      flex: 1;
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
    }
    .status {
      font-weight: 500;
      font-size: 11px;
      padding: 1px 8px;
      border-radius: 999px;
      background: #eef4ff;
      color: #3538cd;
    }
    .status.connected {
      background: #ecfdf3;
      color: #027a48;
    }
    .restart {
      font: inherit;
      font-size: 11px;
      padding: 1px 8px;
      border: 1px solid var(--mc-border, #d0d5dd);
      border-radius: 6px;
      background: #fff;
      cursor: pointer;
    }
    .status.error,
    .status.unresponsive,
    .status.quarantined,
    .status.suspended {
      background: #fef3f2;
      color: #b42318;
    }
    iframe {
      flex: 1;
      width: 100%;
      border: 0;
      display: block;
    }
  `;
}

/** Content-driven axes get a fixed size; the others keep filling the slot. */
function sizeStyle(size: { width?: number; height?: number }): Record<string, string> {
  const style: Record<string, string> = {};
  if (size.width !== undefined) style.width = `${size.width}px`;
  if (size.height !== undefined) {
    style.height = `${size.height}px`;
    style.flex = 'none';
  }
  return style;
}

function statusText(status: FrameStatus): string {
  switch (status.state) {
    case 'loading':
      return 'loading';
    case 'connected':
      return 'connected';
    case 'suspended':
      return 'suspended';
    case 'unresponsive':
      return 'not responding';
    case 'quarantined':
      return `stopped: ${status.message}`;
    case 'error':
      return `error: ${status.message}`;
  }
}

customElements.define('mc-frame', McFrame);

declare global {
  interface HTMLElementTagNameMap {
    'mc-frame': McFrame;
  }
}
