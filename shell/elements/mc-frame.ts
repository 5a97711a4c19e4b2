import { html, LitElement, nothing, type PropertyValues } from 'lit';
import { keyed } from 'lit/directives/keyed.js';
import { styleMap } from 'lit/directives/style-map.js';

import { AutoRestart } from '../frames/auto-restart.ts';
import { FrameSession, type FrameStatus, type SessionChange } from '../frames/frame-session.ts';
import { allowAttribute, sandboxAttribute } from '../frames/sandbox.ts';
import { McError } from '../../sdk/protocol/errors.ts';
import { TEARDOWN_GRACE_MS, type Host } from '../host/host.ts';
import {
  McAppUpdatedEvent,
  McBrokerRestartedEvent,
  McSuspendedEvent,
} from '../host/host-events.ts';
import { LIFECYCLE_EVENTS, McAppLifecycleEvent, McAppStatusEvent } from './events.ts';
import type { McDialogCloseEvent } from './mc-dialog.ts';
import { watchToasts } from './lazy-views.ts';
import type { FrameGuards } from './frame-guards.ts';
import { FrameSurface } from './frame-surface.ts';
import { frameStyles } from './mc-frame.styles.ts';

/**
 * One widget slot: a host-drawn label and status above a sandboxed iframe on the app's own
 * site. The iframe is created once with its sandbox already set and never re-pointed by
 * the element; the mount logic lives in {@link FrameSession}.
 *
 * @fires mc-app-status - whenever the status changes
 * @fires mc-app-connected - the first session started
 * @fires mc-app-reconnected - a new session started after a reload or navigation
 * @fires mc-app-disconnected - a session ended
 * @fires mc-app-unresponsive - heartbeats were missed (hung, or the engine cannot tell)
 * @fires mc-app-crashed - heartbeats were missed and the widget's pulse stopped: remounted at once
 * @fires mc-app-responsive - heartbeats are answered again
 * @fires mc-app-resized - a widget-requested size was applied (at most once a frame)
 * @fires mc-resize-frozen - the widget's size oscillated; resizing stops for the session
 * @fires mc-shortcut - the focused widget forwarded a shortcut its manifest declares
 */
export class McFrame extends LitElement {
  static override properties = {
    host: { attribute: false },
    app: {},
    slotId: { attribute: 'slot-id' },
    status: { state: true },
  };

  /** The host whose broker and manifests this slot uses. */
  declare host: Host | undefined;
  /** The registered app id to mount. */
  declare app: string;
  /** The slot's id: its identity in the broker. */
  declare slotId: string;
  /** The current status (read-only for users). */
  declare status: FrameStatus;
  /** What host services do to this slot: size, dialog, focus, shortcuts. */
  readonly surface = new FrameSurface(this);
  /** Focus and history watches on the frame (issue 14). */
  #guards: FrameGuards | undefined;

  #session: FrameSession | undefined;
  /** The host whose events this frame follows. */
  #listening: Host | undefined;
  /** Remounts an unresponsive widget after a backoff. */
  readonly #autoRestart = new AutoRestart(() => void this.restart());
  /** Bumped by `restart()`: a new iframe element, a new nonce, a new mount. */
  #generation = 0;

  constructor() {
    super();
    this.app = '';
    this.slotId = '';
    this.status = { state: 'loading' };
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // Moved in the document (a reordered layout): the iframe reloads when it is reinserted
    // and the old session ended on removal, so mount afresh. The first mount is firstUpdated's.
    if (this.hasUpdated) void this.restart();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#listen(undefined);
    this.#autoRestart.cancel();
    this.#session?.destroy();
    this.#session = undefined;
  }

  /** Remounts the widget in a fresh iframe (the reload button of a quarantined slot). */
  async restart(): Promise<void> {
    this.#autoRestart.cancel();
    this.#session?.destroy();
    this.#session = undefined;
    const generation = ++this.#generation;
    this.status = { state: 'loading' };
    this.surface.reset();
    await this.updateComplete;
    // A later restart, or a removal, overtook this one while it waited for the render.
    if (generation !== this.#generation || !this.isConnected) return;
    this.#mount();
  }

  /**
   * Calls `method` of the widget (what its app answers with `handle()`), with a deadline
   * (`timeoutMs`, default 5 s). Resolves with the widget's answer, which is its word:
   * untrusted. Rejects with McError: `CALL_TIMEOUT`, `APP_DISCONNECTED` (no session, or it
   * ended first), `NOT_FOUND` (the widget does not handle it), `CALL_FAILED` (its handler
   * failed; code and message are the widget's).
   */
  call(
    method: string,
    args: unknown[] = [],
    options: { timeoutMs?: number } = {},
  ): Promise<unknown> {
    if (!this.#session) return Promise.reject(new McError('APP_DISCONNECTED', 'not mounted'));
    return this.#session.call(method, args, options.timeoutMs);
  }

  /**
   * Tells the widget it is about to be unmounted and resolves when its teardown handlers
   * settled (true), or with false when it has none, or after the host's `teardownGraceMs`
   * when it does not answer. `<mc-canvas>` does this before it removes a slot; remove a
   * standalone `<mc-frame>` after it.
   */
  teardown(): Promise<boolean> {
    const grace = this.host?.teardownGraceMs ?? TEARDOWN_GRACE_MS;
    return this.#session?.teardown('unmount', grace) ?? Promise.resolve(false);
  }

  /** Focuses the widget on the host's behalf (otherwise taken back as a theft). */
  override focus(options?: FocusOptions): void {
    const iframe = this.renderRoot.querySelector('iframe');
    this.#guards?.allow(iframe);
    iframe?.focus(options);
  }

  /** Current session number of this mount (0 before the first hello). */
  get epoch(): number {
    return this.#session?.epoch ?? 0;
  }

  protected override firstUpdated(_changed: PropertyValues): void {
    this.#mount();
  }

  /** Follows `host`'s events (suspensions, broker restarts); `undefined` stops following. */
  #listen(host: Host | undefined): void {
    if (host === this.#listening) return;
    this.#listening?.removeEventListener(McSuspendedEvent.type, this.#onSuspended);
    this.#listening?.removeEventListener(McBrokerRestartedEvent.type, this.#onBrokerRestarted);
    this.#listening?.removeEventListener(McAppUpdatedEvent.type, this.#onAppUpdated);
    host?.addEventListener(McSuspendedEvent.type, this.#onSuspended);
    host?.addEventListener(McBrokerRestartedEvent.type, this.#onBrokerRestarted);
    host?.addEventListener(McAppUpdatedEvent.type, this.#onAppUpdated);
    this.#listening = host;
  }

  #mount(): void {
    // The host may have changed since the last mount (a canvas rebuilt its own).
    this.#listen(this.host);
    if (this.host) watchToasts(this.host);
    const manifest = this.host?.manifest(this.app);
    const iframe = this.renderRoot.querySelector('iframe');
    if (!this.host || !manifest || !iframe) {
      this.#onStatus({ state: 'error', code: 'UNKNOWN_APP', message: `no app "${this.app}"` });
      return;
    }
    if (!this.host.available(this.app) && !this.host.mountUnavailable) {
      this.#onStatus({ state: 'error', code: 'NOT_READY', message: UNAVAILABLE });
      return;
    }
    const session = new FrameSession(
      this.host,
      manifest,
      this.slotId,
      (s, change) => {
        if (this.#session === session) this.#onStatus(s, change);
      },
      this.surface,
    );
    this.#session = session;
    session.start(iframe, this);
    // The focus guard loads with the first mount (docs/decisions/0012-performance.md). Loads
    // resolve in order, so the last mount's frame is the one watched; a removed one is
    // dropped by the guard.
    void import('./frame-guards.ts').then((m) =>
      (this.#guards ??= new m.FrameGuards(this)).watch(iframe, session),
    );
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
          state === 'quarantined' ||
          state === 'error' ||
          state === 'unresponsive' ||
          state === 'crashed'
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
                ?inert=${this.surface.dialog !== undefined}
                style=${styleMap(this.surface.sizeStyle())}
              ></iframe>`,
            )
          : nothing
      }
      ${
        this.surface.dialog
          ? html`<mc-dialog
              .appName=${name}
              .request=${this.surface.dialog.request}
              @mc-dialog-close=${(e: McDialogCloseEvent) =>
                this.surface.dialog?.answer(e.confirmed)}
            ></mc-dialog>`
          : nothing
      }
    `;
  }

  #onStatus(status: FrameStatus, change?: SessionChange): void {
    this.status = status;
    if (change === 'connected') this.#autoRestart.cancel();
    if (change === 'responsive') this.#autoRestart.responsive();
    if (change === 'unresponsive') this.#autoRestart.unresponsive();
    if (change === 'crashed') this.#autoRestart.crashed();
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
   * The app's manifest changed (remount with the new rights), or it became available again
   * while this slot waited for it.
   */
  #onAppUpdated = (event: Event): void => {
    const { appId, change } = event as McAppUpdatedEvent;
    if (appId !== this.app) return;
    const waiting = this.status.state === 'error' && this.status.message === UNAVAILABLE;
    if (change === 'manifest' || (waiting && this.host?.available(appId))) void this.restart();
  };

  /**
   * The widget's port died with the old broker: a connected widget takes a port to the new
   * one in its session; one that cannot (any other state but quarantined) is remounted.
   */
  #onBrokerRestarted = (): void => {
    const session = this.#session;
    if (this.status.state === 'quarantined' || !session) return;
    void session.reattach().then((kept) => {
      if (!kept && this.#session === session) void this.restart();
    });
  };

  #onSuspended = (event: Event): void => {
    if ((event as McSuspendedEvent).slotId === this.slotId) this.#session?.suspend();
  };

  /** The element's shadow styles (its parts and custom properties are in its class comment). */
  static override styles = frameStyles;
}

const UNAVAILABLE = 'app unavailable';

function statusText(status: FrameStatus): string {
  switch (status.state) {
    case 'unresponsive':
      return 'not responding';
    case 'quarantined':
      return `stopped: ${status.message}`;
    case 'error':
      return `error: ${status.message}`;
    default:
      // loading, connected, suspended, crashed: the state's own name.
      return status.state;
  }
}

customElements.define('mc-frame', McFrame);

declare global {
  interface HTMLElementTagNameMap {
    'mc-frame': McFrame;
  }
}
