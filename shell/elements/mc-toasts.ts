import { css, html, LitElement } from 'lit';
import { repeat } from 'lit/directives/repeat.js';

import type { Host } from '../host/host.ts';
import type { ToastStack } from '../services/toast-stack.ts';

/**
 * The host's toasts: each labelled with the app's name from its manifest, its text always
 * rendered as text (a widget's markup shows as characters, never as elements). `<mc-frame>`
 * places one for its host automatically; place your own and set `stack` to position it.
 */
export class McToasts extends LitElement {
  static override properties = { stack: { attribute: false } };

  /** The stack shown (`host.services.toasts`). */
  declare stack: ToastStack | undefined;
  /** Set on a view placed automatically: it removes itself when its host is destroyed. */
  auto = false;
  #watched: ToastStack | undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    this.#watch(this.stack);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#watch(undefined);
  }

  protected override willUpdate(): void {
    if (this.isConnected) this.#watch(this.stack);
  }

  #watch(stack: ToastStack | undefined): void {
    if (stack === this.#watched) return;
    if (this.#watched) {
      this.#watched.viewers--;
      this.#watched.removeEventListener('change', this.#onChange);
      this.#watched.removeEventListener('destroy', this.#onDestroy);
    }
    this.#watched = stack;
    if (stack) {
      stack.viewers++;
      stack.addEventListener('change', this.#onChange);
      stack.addEventListener('destroy', this.#onDestroy);
    }
  }

  #onChange = (): void => this.requestUpdate();

  #onDestroy = (): void => {
    if (this.auto) this.remove();
  };

  protected override render() {
    const toasts = this.stack?.toasts ?? [];
    return html`<ol part="list">
      ${repeat(
        toasts,
        (t) => t.id,
        (t) =>
          html`<li class="toast ${t.kind}" part="toast" role="status" data-app=${t.appId}>
            <span class="app" part="app">${t.appName}</span>
            <span class="text" part="text">${t.text}</span>
            <button class="close" aria-label="Dismiss" @click=${() => this.stack?.dismiss(t.id)}>
              ×
            </button>
          </li>`,
      )}
    </ol>`;
  }

  /** The element's shadow styles (its parts and custom properties are in its class comment). */
  static override styles = css`
    :host {
      position: fixed;
      right: 16px;
      bottom: 16px;
      z-index: 2147483000;
      pointer-events: none;
      font:
        13px/1.4 system-ui,
        sans-serif;
    }
    ol {
      display: flex;
      flex-direction: column;
      gap: 8px;
      margin: 0;
      padding: 0;
      list-style: none;
    }
    .toast {
      pointer-events: auto;
      display: grid;
      grid-template-columns: 1fr auto;
      gap: 2px 12px;
      width: 300px;
      max-width: calc(100vw - 32px);
      box-sizing: border-box;
      padding: 10px 12px;
      border-radius: 8px;
      background: #101828;
      color: #fff;
      box-shadow: 0 8px 24px rgb(16 24 40 / 24%);
      border-left: 4px solid #8098f9;
    }
    .success {
      border-left-color: #32d583;
    }
    .warning {
      border-left-color: #fdb022;
    }
    .error {
      border-left-color: #f97066;
    }
    .app {
      font-weight: 600;
      font-size: 11px;
      color: #d0d5dd;
    }
    .text {
      grid-column: 1;
      overflow-wrap: anywhere;
      white-space: pre-wrap;
    }
    .close {
      grid-column: 2;
      grid-row: 1 / span 2;
      align-self: start;
      border: 0;
      background: none;
      color: inherit;
      font-size: 16px;
      cursor: pointer;
    }
  `;
}

customElements.define('mc-toasts', McToasts);

/**
 * Places an automatic `<mc-toasts>` for `host` unless a view of its stack is on the page
 * (`ensureToastView` in lazy-views.ts loads this module and calls it).
 */
export function placeToastView(host: Host): void {
  const stack = host.services.toasts;
  if (stack.viewers > 0) return;
  const view = document.createElement('mc-toasts');
  view.auto = true;
  view.stack = stack;
  document.body.append(view);
}

declare global {
  interface HTMLElementTagNameMap {
    'mc-toasts': McToasts;
  }
}
