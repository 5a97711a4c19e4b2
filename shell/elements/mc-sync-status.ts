import { css, html, LitElement, nothing } from 'lit';

import type { CanvasRemote, LostNotice } from '../remote/canvas-remote.ts';
import type { ServerLink } from '../remote/server-link.ts';

/** What the indicator shows, reflected as its `state` attribute (for styles and tests). */
export type SyncIndicatorState = 'online' | 'syncing' | 'offline' | 'reconnecting' | 'refused';

/** How long a lost-write notice stays. */
export const LOST_NOTICE_MS = 8000;

/**
 * A small indicator of a canvas's server sync: online (synced, or saving), offline (with the
 * number of edits kept on this device), reconnecting, or refused (with the server's reason),
 * told in words, not by colour alone, in a polite live region; and, for a while, the last
 * write of this device that another device's later write overwrote. Loaded with
 * `microcanvas/sync`, never at page start-up. Set `link`, and `remote` for the canvas.
 *
 * @csspart dot - the coloured dot
 * @csspart label - the text
 * @cssprop --mc-sync-online - colour when online (and synced); also --mc-sync-offline,
 *   --mc-sync-busy (saving, reconnecting), --mc-sync-refused, --mc-sync-notice
 */
export class McSyncStatus extends LitElement {
  static override properties = {
    link: { attribute: false },
    remote: { attribute: false },
    state: { type: String, reflect: true },
    notice: { state: true },
  };

  /** The server connection shown. */
  declare link: ServerLink | undefined;
  /** The canvas sync shown (its join refusal, unsent edits, lost writes). */
  declare remote: CanvasRemote | undefined;
  /** What is shown now (read-only; reflected for styles). */
  declare state: SyncIndicatorState;
  declare protected notice: string;
  #watched: [ServerLink | undefined, CanvasRemote | undefined] = [undefined, undefined];
  #stops: Array<() => void> = [];
  #wasOnline = false;
  #noticeTimer: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    super();
    this.state = 'offline';
    this.notice = '';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.#watch();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    for (const stop of this.#stops.splice(0)) stop();
    this.#watched = [undefined, undefined];
    clearTimeout(this.#noticeTimer);
  }

  protected override willUpdate(): void {
    if (this.isConnected) this.#watch();
    this.state = this.#state();
  }

  #watch(): void {
    const [link, remote] = this.#watched;
    if (link === this.link && remote === this.remote) return;
    for (const stop of this.#stops.splice(0)) stop();
    this.#watched = [this.link, this.remote];
    const update = () => this.requestUpdate();
    if (this.link) {
      const link = this.link;
      // Seen at each change, not at each render: renders batch, and a short `online` counts.
      const onState = () => {
        if (link.state === 'online') this.#wasOnline = true;
        update();
      };
      if (link.state === 'online') this.#wasOnline = true;
      this.#stops.push(link.onState(onState));
    }
    if (this.remote)
      this.#stops.push(this.remote.onChange(update), this.remote.onLost(this.#onLost));
  }

  #onLost = (notice: LostNotice): void => {
    const who = notice.by ? 'another device' : 'a removal';
    this.notice = `Your change to ${notice.slot} (${notice.fields.join(', ')}) was replaced by ${who}.`;
    clearTimeout(this.#noticeTimer);
    this.#noticeTimer = setTimeout(() => (this.notice = ''), LOST_NOTICE_MS);
  };

  #state(): SyncIndicatorState {
    const link = this.link?.state ?? 'offline';
    if (link === 'refused' || this.remote?.status === 'refused') return 'refused';
    if (link === 'connecting') return this.#wasOnline ? 'reconnecting' : 'offline';
    if (link === 'offline') return 'offline';
    return this.remote && this.remote.status !== 'synced' ? 'syncing' : 'online';
  }

  #label(): string {
    const pending = this.remote?.pending ?? 0;
    const kept =
      pending > 0 ? ` · ${pending} edit${pending === 1 ? '' : 's'} kept on this device` : '';
    switch (this.state) {
      case 'online':
        return 'Online · synced';
      case 'syncing':
        return this.remote?.status === 'joining' ? 'Online · joining' : 'Online · saving';
      case 'reconnecting':
        return `Reconnecting…${kept}`;
      case 'refused': {
        const error = this.link?.state === 'refused' ? this.link.error : this.remote?.error;
        return `Refused: ${error?.code === 'NOT_FOUND' ? 'no access to this canvas' : (error?.message ?? 'by the server')}${error ? ` (${error.code})` : ''}`;
      }
      default:
        return this.link?.state === 'connecting' ? 'Connecting…' : `Offline${kept}`;
    }
  }

  protected override render() {
    return html`<span class="pill" role="status" aria-live="polite"
        ><span class="dot" part="dot" aria-hidden="true"></span
        ><span part="label">${this.#label()}</span></span
      >${this.notice ? html`<span class="notice" role="status">${this.notice}</span>` : nothing}`;
  }

  /** The element's shadow styles (its parts and custom properties are in its class comment). */
  static override styles = css`
    :host {
      display: inline-flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 8px;
      font: inherit;
      font-size: 0.875rem;
    }
    .pill {
      display: inline-flex;
      align-items: center;
      gap: 6px;
      padding: 2px 10px;
      border-radius: 999px;
      border: 1px solid currentColor;
      color: var(--mc-sync-offline, #8a5a00);
    }
    .dot {
      width: 8px;
      height: 8px;
      border-radius: 50%;
      background: currentColor;
    }
    :host([state='online']) .pill {
      color: var(--mc-sync-online, #1a7f37);
    }
    :host([state='syncing']) .pill,
    :host([state='reconnecting']) .pill {
      color: var(--mc-sync-busy, #0b63c4);
    }
    :host([state='reconnecting']) .dot {
      animation: pulse 1s ease-in-out infinite alternate;
    }
    :host([state='refused']) .pill {
      color: var(--mc-sync-refused, #b42318);
    }
    .notice {
      color: var(--mc-sync-notice, inherit);
    }
    @keyframes pulse {
      to {
        opacity: 0.3;
      }
    }
    @media (prefers-reduced-motion: reduce) {
      :host([state='reconnecting']) .dot {
        animation: none;
      }
    }
  `;
}

customElements.define('mc-sync-status', McSyncStatus);

declare global {
  interface HTMLElementTagNameMap {
    'mc-sync-status': McSyncStatus;
  }
}
