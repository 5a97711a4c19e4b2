import { css, html, LitElement, nothing } from 'lit';

import type { Host } from '../host/host.ts';
import { McAppUpdatedEvent } from '../host/host-events.ts';
import type { McCanvas } from './mc-canvas.ts';

/**
 * The app catalog of a canvas: one entry per registered manifest, each with an Add button
 * that puts a new widget of that app on the canvas at the first free spot. Names and
 * descriptions come from manifests the host registered, and are rendered as text.
 *
 * Apps the host marked unavailable (a registry's health) show an "Unavailable" badge, and
 * their Add button is disabled unless the host mounts unavailable apps.
 *
 * Styling: `--mc-accent`, `--mc-on-accent`, `--mc-border`, `--mc-surface`, `--mc-text`,
 * `--mc-muted`, `--mc-danger`, and the parts `list`, `item`, `add`, `unavailable`.
 *
 * Point it at a canvas with the `for` attribute (the canvas's id) or the `canvas` property;
 * call `refresh()` after registering more manifests.
 */
export class McCatalog extends LitElement {
  static override properties = {
    canvas: { attribute: false },
    for: {},
  };

  /** The canvas the catalog adds to (takes precedence over `for`). */
  declare canvas: McCanvas | undefined;
  /** The id of the canvas, in this element's document or shadow root. */
  declare for: string;

  constructor() {
    super();
    this.for = '';
  }

  /** The host whose `mc-app-updated` events re-render the catalog. */
  #following: Host | undefined;

  /** Re-reads the registered manifests. */
  refresh(): void {
    this.requestUpdate();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#follow(undefined);
  }

  #follow(host: Host | undefined): void {
    if (host === this.#following) return;
    this.#following?.removeEventListener(McAppUpdatedEvent.type, this.#onUpdated);
    host?.addEventListener(McAppUpdatedEvent.type, this.#onUpdated);
    this.#following = host;
  }

  #onUpdated = (): void => this.requestUpdate();

  #target(): McCanvas | undefined {
    if (this.canvas) return this.canvas;
    if (!this.for) return undefined;
    const root = this.getRootNode() as Document | ShadowRoot;
    const found = root.getElementById(this.for);
    return found?.localName === 'mc-canvas' ? (found as McCanvas) : undefined;
  }

  protected override render() {
    const canvas = this.#target();
    const host = canvas?.host;
    this.#follow(host);
    const manifests = host?.manifests() ?? [];
    if (manifests.length === 0) return html`<p class="empty">No apps registered.</p>`;
    return html`<ul role="list" part="list">
      ${manifests.map((m) => {
        const available = host!.available(m.id);
        return html`<li part="item" class=${available ? '' : 'unavailable'}>
          <div class="text">
            <span class="name">${m.name}</span>
            ${m.description ? html`<span class="description">${m.description}</span>` : nothing}
            ${available ? nothing : html`<span class="badge" part="unavailable">Unavailable</span>`}
          </div>
          <button
            part="add"
            aria-label="Add ${m.name}"
            ?disabled=${!available && !host!.mountUnavailable}
            @click=${() => {
              canvas?.add(m.id);
            }}
          >
            Add
          </button>
        </li>`;
      })}
    </ul>`;
  }

  /** The element's shadow styles (its parts and custom properties are in its class comment). */
  static override styles = css`
    :host {
      display: block;
      font:
        14px/1.4 system-ui,
        sans-serif;
      color: var(--mc-text, #101828);
    }
    ul {
      list-style: none;
      margin: 0;
      padding: 0;
      display: grid;
      gap: 8px;
    }
    li {
      display: flex;
      align-items: center;
      gap: 10px;
      padding: 8px 10px;
      border: 1px solid var(--mc-border, #eaecf0);
      border-radius: 8px;
      background: var(--mc-surface, #fff);
    }
    .text {
      flex: 1;
      display: flex;
      flex-direction: column;
      min-width: 0;
    }
    .name {
      font-weight: 600;
    }
    .name,
    .description {
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
    }
    .description {
      font-size: 12px;
      color: var(--mc-muted, #667085);
    }
    button {
      font: inherit;
      font-weight: 600;
      padding: 4px 12px;
      border: 1px solid var(--mc-accent, #444ce7);
      border-radius: 6px;
      background: var(--mc-accent, #444ce7);
      color: var(--mc-on-accent, #fff);
      cursor: pointer;
    }
    button:focus-visible {
      outline: 3px solid var(--mc-focus, #2e90fa);
      outline-offset: 2px;
    }
    .badge {
      font-size: 12px;
      color: var(--mc-danger, #b42318);
    }
    li.unavailable .name {
      color: var(--mc-muted, #667085);
    }
    button:disabled {
      opacity: 0.5;
      cursor: not-allowed;
    }
    .empty {
      margin: 0;
      color: var(--mc-muted, #667085);
    }
  `;
}

customElements.define('mc-catalog', McCatalog);

declare global {
  interface HTMLElementTagNameMap {
    'mc-catalog': McCatalog;
  }
}
