import { html, LitElement, type PropertyValues } from 'lit';

import type { AuditEntry, EffectiveGrants, GrantRef, McError } from '../../sdk/protocol/index.ts';
import {
  permissionsView,
  appsView,
  timelineRows,
  violationsView,
} from '../devtools/devtools-views.ts';
import { TapReader, type TimelineFilter } from '../devtools/tap-reader.ts';
import type { Host } from '../host/host.ts';
import { devtoolsStyles } from './mc-devtools.styles.ts';

type Tab = 'timeline' | 'apps' | 'violations' | 'permissions';
const TABS: Array<[Tab, string]> = [
  ['timeline', 'Timeline'],
  ['apps', 'Apps & state'],
  ['violations', 'Violations'],
  ['permissions', 'Permissions'],
];

/**
 * The host's devtools (docs/devtools.md): a live timeline of what the broker decided for each
 * event (delivered to which slots, dropped, refused and why) with filters by topic, app and
 * direction; per app its rates, queue depths, round trip and public state; the violations;
 * and live permission controls with the audit log. Set `host`; while the element is in the
 * document it keeps the broker's tap open and reads it twice a second (the broker records
 * nothing while no devtools is open).
 *
 * Not in the page's start-up bundle: `await loadDevtools()` (from `microcanvas/shell`)
 * defines it.
 */
export class McDevtools extends LitElement {
  static override properties = {
    host: { attribute: false },
    tab: { reflect: true },
    filter: { attribute: false },
    error: { state: true },
  };

  /** The host to inspect. */
  declare host: Host | undefined;
  /** The section shown. */
  declare tab: Tab;
  /** The timeline's filter. */
  declare filter: TimelineFilter;
  declare error: string;
  #reader: TapReader | undefined;
  #grants = new Map<string, EffectiveGrants>();
  #audit: AuditEntry[] = [];

  constructor() {
    super();
    this.tab = 'timeline';
    this.filter = { direction: 'any' };
    this.error = '';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.#follow(this.host);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#follow(undefined);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('host') && this.isConnected) this.#follow(this.host);
  }

  /** The data behind the view (for tests and page code). */
  get reader(): TapReader | undefined {
    return this.#reader;
  }

  #follow(host: Host | undefined): void {
    if (host === this.#reader?.host) return;
    if (this.#reader) {
      this.#reader.stop();
      this.#reader.removeEventListener('change', this.#onChange);
      this.#reader.host.removeEventListener('mc-app-updated', this.#onGrants);
    }
    this.#reader = host ? new TapReader(host) : undefined;
    if (!host || !this.#reader) return;
    this.#reader.addEventListener('change', this.#onChange);
    host.addEventListener('mc-app-updated', this.#onGrants);
    this.#reader.start();
    this.#onGrants();
  }

  #onChange = (): void => this.requestUpdate();

  /** Grants and the audit log are read again whenever an app's rights change. */
  #onGrants = (): void => {
    const host = this.host;
    if (!host) return;
    void Promise.all([
      Promise.all(host.manifests().map(async (m) => [m.id, await host.grants(m.id)] as const)),
      host.auditLog(),
    ]).then(([grants, audit]) => {
      this.#grants = new Map(grants);
      this.#audit = audit;
      this.requestUpdate();
    });
  };

  #toggle = (app: string, grant: GrantRef, revoke: boolean): void => {
    const host = this.host;
    if (!host) return;
    const change = revoke ? host.revoke(app, grant, BY) : host.restore(app, grant, BY);
    change.then(
      () => (this.error = ''),
      (error: McError) => (this.error = `${error.code}: ${error.message}`),
    );
  };

  #setFilter(patch: Partial<TimelineFilter>): void {
    this.filter = { ...this.filter, ...patch };
  }

  protected override render() {
    const reader = this.#reader;
    if (!reader || !this.host) return html`<p class="empty">No host.</p>`;
    const apps = [...new Set(this.host.manifests().map((m) => m.id))];
    return html`<header part="header">
        <strong>microcanvas devtools</strong>
        <nav role="tablist">
          ${TABS.map(
            ([tab, label]) =>
              html`<button
                type="button"
                role="tab"
                data-tab=${tab}
                aria-selected=${this.tab === tab}
                @click=${() => (this.tab = tab)}
              >
                ${label}
              </button>`,
          )}
        </nav>
        <span class="figures">
          ${
            reader.stats
              ? `${reader.stats.connections} ports · ${reader.stats.delivered} delivered · ${reader.stats.dropped} dropped · ${reader.stats.rejected} refused`
              : 'connecting…'
          }
        </span>
      </header>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : ''}
      <div class="body" part="body">
        ${
          this.tab === 'timeline'
            ? html`<div class="filters">
                  <input
                    type="search"
                    placeholder="topic or todo.*.*"
                    aria-label="Filter by topic"
                    .value=${this.filter.topic ?? ''}
                    @input=${(e: Event) =>
                      this.#setFilter({ topic: (e.target as HTMLInputElement).value })}
                  />
                  <select
                    aria-label="Filter by app"
                    @change=${(e: Event) =>
                      this.#setFilter({ app: (e.target as HTMLSelectElement).value || undefined })}
                  >
                    <option value="">all apps</option>
                    ${apps.map((a) => html`<option value=${a}>${a}</option>`)}
                  </select>
                  <select
                    aria-label="Direction"
                    @change=${(e: Event) =>
                      this.#setFilter({
                        direction: (e.target as HTMLSelectElement)
                          .value as TimelineFilter['direction'],
                      })}
                  >
                    <option value="any">sent or received</option>
                    <option value="sent">sent by the app</option>
                    <option value="received">received by the app</option>
                  </select>
                  <button
                    type="button"
                    @click=${() => {
                      reader.paused = !reader.paused;
                      this.requestUpdate();
                    }}
                  >
                    ${reader.paused ? 'Resume' : 'Pause'}
                  </button>
                  <button type="button" @click=${() => reader.clear()}>Clear</button>
                  ${
                    reader.missed > 0
                      ? html`<span class="hint">${reader.missed} entries not read in time</span>`
                      : ''
                  }
                </div>
                ${timelineRows(reader, reader.filtered(this.filter))}`
            : this.tab === 'apps'
              ? appsView(reader)
              : this.tab === 'violations'
                ? violationsView(reader)
                : permissionsView(this.host.manifests(), this.#grants, this.#audit, this.#toggle)
        }
      </div>`;
  }

  static override styles = devtoolsStyles;
}

/** Who devtools' changes are audited as. */
const BY = { by: 'devtools' };

customElements.define('mc-devtools', McDevtools);

declare global {
  interface HTMLElementTagNameMap {
    'mc-devtools': McDevtools;
  }
}
