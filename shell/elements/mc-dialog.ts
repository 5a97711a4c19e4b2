import { css, html, LitElement, nothing } from 'lit';

import type { ModalRequest } from '../../sdk/protocol/index.ts';

/** Fired by `<mc-dialog>` when the person answers. */
export class McDialogCloseEvent extends Event {
  static readonly type = 'mc-dialog-close';
  constructor(readonly confirmed: boolean) {
    super(McDialogCloseEvent.type);
  }
}

/**
 * A host-drawn alert or confirm dialog over one widget's slot, requested by that widget.
 * It is labelled with the app's name from the manifest, shows the widget's words as text
 * only, and stays inside the slot's box (long text scrolls). Escape or the cancel button
 * answers false.
 *
 * @fires mc-dialog-close - with `confirmed`
 */
export class McDialog extends LitElement {
  static override properties = {
    appName: { attribute: false },
    request: { attribute: false },
  };

  /** The app's name from its manifest. */
  declare appName: string;
  /** What the widget asked for (already validated). */
  declare request: ModalRequest | undefined;

  constructor() {
    super();
    this.appName = '';
  }

  protected override firstUpdated(): void {
    this.renderRoot.querySelector<HTMLButtonElement>('button.confirm')?.focus();
  }

  #close(confirmed: boolean): void {
    this.dispatchEvent(new McDialogCloseEvent(confirmed));
  }

  #onKey = (event: KeyboardEvent): void => {
    if (event.key === 'Escape') {
      event.preventDefault();
      this.#close(false);
    }
  };

  protected override render() {
    const r = this.request;
    if (!r) return nothing;
    return html`<div class="backdrop" part="backdrop" @keydown=${this.#onKey}>
      <div
        class="box"
        part="box"
        role="alertdialog"
        aria-modal="true"
        aria-labelledby="from"
        aria-describedby="text"
      >
        <p class="from" id="from">${this.appName} ${r.kind === 'confirm' ? 'asks' : 'says'}</p>
        ${r.title ? html`<h2 class="title">${r.title}</h2>` : nothing}
        <p class="text" id="text">${r.text}</p>
        <div class="actions">
          ${
            r.kind === 'confirm'
              ? html`<button class="cancel" @click=${() => this.#close(false)}>
                  ${r.cancelLabel ?? 'Cancel'}
                </button>`
              : nothing
          }
          <button class="confirm" @click=${() => this.#close(true)}>
            ${r.confirmLabel ?? 'OK'}
          </button>
        </div>
      </div>
    </div>`;
  }

  /** The element's shadow styles (its parts and custom properties are in its class comment). */
  static override styles = css`
    :host {
      position: absolute;
      inset: 0;
      z-index: 2;
    }
    .backdrop {
      position: absolute;
      inset: 0;
      display: grid;
      place-items: center;
      padding: 8px;
      background: rgb(16 24 40 / 45%);
    }
    .box {
      box-sizing: border-box;
      max-width: 100%;
      max-height: 100%;
      overflow: auto;
      padding: 12px 14px;
      border-radius: 10px;
      background: #fff;
      color: #101828;
      box-shadow: 0 12px 32px rgb(16 24 40 / 30%);
      font:
        13px/1.45 system-ui,
        sans-serif;
    }
    .from {
      margin: 0 0 4px;
      font-size: 11px;
      font-weight: 600;
      color: #475467;
    }
    .title {
      margin: 0 0 4px;
      font-size: 14px;
    }
    .text {
      margin: 0 0 10px;
      white-space: pre-wrap;
      overflow-wrap: anywhere;
    }
    .actions {
      display: flex;
      justify-content: flex-end;
      gap: 8px;
    }
    button {
      font: inherit;
      padding: 4px 12px;
      border-radius: 6px;
      border: 1px solid #d0d5dd;
      background: #fff;
      cursor: pointer;
    }
    .confirm {
      background: #444ce7;
      border-color: #444ce7;
      color: #fff;
    }
  `;
}

customElements.define('mc-dialog', McDialog);

declare global {
  interface HTMLElementTagNameMap {
    'mc-dialog': McDialog;
  }
}
