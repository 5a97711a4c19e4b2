import { html, nothing, type TemplateResult } from 'lit';
import { repeat } from 'lit/directives/repeat.js';

import type {
  AuditEntry,
  EffectiveGrants,
  GrantRef,
  Manifest,
  TapEntry,
  TopicPattern,
} from '../../sdk/protocol/index.ts';
import type { TapReader } from './tap-reader.ts';

/**
 * The sections of `<mc-devtools>` as Lit templates over its data. Everything a widget said
 * (topics, state previews, refusal details) is bound as text, never as markup.
 */

const time = (ms: number) => {
  const d = new Date(ms);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
};

const slotName = (reader: TapReader, slot: string) => {
  const app = reader.appOf(slot);
  return app && app !== slot ? `${app} (${slot})` : slot;
};

/** What the broker decided for one entry. */
function decision(reader: TapReader, entry: TapEntry): TemplateResult {
  if (entry.kind === 'refused') return html`<span class="refused">refused: ${entry.reason}</span>`;
  if (entry.kind === 'state') return html`<span class="state">state v${entry.version}</span>`;
  const to = entry.to ?? [];
  const dropped = entry.dropped ?? [];
  return html`<span class=${to.length === 0 ? 'nobody' : 'delivered'}
      >→ ${to.length === 0 ? 'no subscriber' : to.map((s) => slotName(reader, s)).join(', ')}</span
    >${
      dropped.length > 0
        ? html` <span class="refused"
            >dropped for ${dropped.map((s) => slotName(reader, s)).join(', ')}</span
          >`
        : nothing
    }`;
}

/** The timeline rows, newest first. */
export function timelineRows(reader: TapReader, entries: TapEntry[]): TemplateResult {
  if (entries.length === 0) return html`<p class="empty">Nothing yet.</p>`;
  return html`<table class="timeline">
    <thead>
      <tr>
        <th>time</th>
        <th>from</th>
        <th>topic</th>
        <th>data</th>
        <th>broker decided</th>
        <th class="num">bytes</th>
      </tr>
    </thead>
    <tbody>
      ${repeat(
        entries,
        // Keyed: a read adds a few rows at the top and drops some at the bottom; the rows
        // between are moved, not rewritten.
        (e) => e.seq,
        (e) =>
          html`<tr class=${e.kind} data-seq=${e.seq}>
            <td class="mono">${time(e.time)}</td>
            <td>${slotName(reader, e.slot)}</td>
            <td class="mono topic">${e.topic ?? (e.kind === 'state' ? '(public state)' : '')}</td>
            <td class="mono data">${e.data ?? ''}</td>
            <td>${decision(reader, e)}</td>
            <td class="num">${e.bytes ?? ''}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

const rate = (n: number) => (n >= 10 ? n.toFixed(0) : n.toFixed(1));

/** Per connection: rates, queues, round trip; then each app's public state. */
export function appsView(reader: TapReader): TemplateResult {
  return html`<table class="apps">
      <thead>
        <tr>
          <th>app (slot)</th>
          <th class="num">sent/s</th>
          <th class="num">received/s</th>
          <th class="num">queued</th>
          <th class="num">unacked</th>
          <th class="num">round trip ms</th>
          <th class="num">dropped</th>
          <th class="num">subs</th>
          <th class="num">watches</th>
        </tr>
      </thead>
      <tbody>
        ${reader.connections.map(
          (c) =>
            html`<tr data-slot=${c.slot}>
              <td>${c.app === c.slot ? c.app : `${c.app} (${c.slot})`}</td>
              <td class="num">${rate(c.publishedPerSecond)}</td>
              <td class="num">${rate(c.receivedPerSecond)}</td>
              <td class="num">${c.queued}</td>
              <td class="num">${c.unacked}</td>
              <td class="num">${c.rttMs > 0 ? c.rttMs.toFixed(1) : '–'}</td>
              <td class="num">${c.dropped}</td>
              <td class="num">${c.subscriptions}</td>
              <td class="num">${c.watches}</td>
            </tr>`,
        )}
      </tbody>
    </table>
    <h3>Public state</h3>
    ${
      reader.states.length === 0
        ? html`<p class="empty">No app has set its state yet.</p>`
        : html`<table class="states">
            <tbody>
              ${reader.states.map(
                (s) =>
                  html`<tr data-app=${s.app}>
                    <td>${s.app}</td>
                    <td class="num">v${s.version}</td>
                    <td class="mono preview">${s.preview}</td>
                  </tr>`,
              )}
            </tbody>
          </table>`
    }`;
}

/** Refusal counts per kind, then the latest refusals from the timeline. */
export function violationsView(reader: TapReader): TemplateResult {
  const counts = Object.entries(reader.stats?.violations ?? {});
  const latest = reader.filtered({}, 1000).filter((e) => e.kind === 'refused');
  return html`<p class="counts">
      ${
        counts.length === 0
          ? 'No refusals.'
          : counts.map(([kind, n]) => html`<span class="pill">${kind} ${n}</span> `)
      }
    </p>
    ${latest.length > 0 ? timelineRows(reader, latest.slice(0, 100)) : nothing}`;
}

/** One grant's line, with its revoke or restore button. */
function grantRow(
  app: string,
  grant: GrantRef,
  revoked: boolean,
  toggle: (app: string, grant: GrantRef, revoke: boolean) => void,
): TemplateResult {
  const [kind, target] = Object.entries(grant)[0] as [string, string];
  return html`<li class=${revoked ? 'revoked' : ''}>
    <span class="kind">${kind}</span> <code>${target}</code>
    <button type="button" @click=${() => toggle(app, grant, !revoked)}>
      ${revoked ? 'Restore' : 'Revoke'}
    </button>
  </li>`;
}

/** Each app's grants with live controls, and the audit log. */
export function permissionsView(
  manifests: Manifest[],
  grants: ReadonlyMap<string, EffectiveGrants>,
  audit: AuditEntry[],
  toggle: (app: string, grant: GrantRef, revoke: boolean) => void,
): TemplateResult {
  const key = (g: GrantRef) => JSON.stringify(g);
  return html`<div class="grants">
      ${manifests.map((m) => {
        const revoked = grants.get(m.id)?.revoked ?? [];
        const isRevoked = new Set(revoked.map(key));
        const all: GrantRef[] = [
          ...m.publishes.map((p) => ({ publish: p as TopicPattern })),
          ...m.subscribes.map((p) => ({ subscribe: p as TopicPattern })),
          ...m.reads.map((a) => ({ read: a })),
          ...m.services.map((s) => ({ service: s })),
        ];
        const listed = new Set(all.map(key));
        const extra = revoked.filter((g) => !listed.has(key(g)));
        return html`<section class="app-grants" data-app=${m.id}>
          <h4>${m.name} <code>${m.id}</code></h4>
          ${
            all.length + extra.length === 0
              ? html`<p class="empty">No grants.</p>`
              : html`<ul>
                  ${[...all, ...extra].map((g) => grantRow(m.id, g, isRevoked.has(key(g)), toggle))}
                </ul>`
          }
        </section>`;
      })}
    </div>
    <h3>Audit log</h3>
    ${
      audit.length === 0
        ? html`<p class="empty">No changes.</p>`
        : html`<ol class="audit">
            ${[...audit].reverse().map(
              (e) =>
                html`<li>
                  <span class="mono">${time(e.time)}</span> <strong>${e.by}</strong> ${e.action}d
                  <code>${e.app}</code> ${Object.keys(e.grant)[0]}
                  <code>${Object.values(e.grant)[0]}</code>
                </li>`,
            )}
          </ol>`
    }`;
}
