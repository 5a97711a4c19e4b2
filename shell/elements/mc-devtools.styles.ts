import { css } from 'lit';

/** `<mc-devtools>`: a compact panel in the page's colours (`--mc-*`, as `<mc-frame>`). */
export const devtoolsStyles = css`
  :host {
    display: flex;
    flex-direction: column;
    box-sizing: border-box;
    min-height: 240px;
    max-height: 520px;
    border: 1px solid var(--mc-border, #d0d5dd);
    border-radius: 10px;
    background: var(--mc-surface, #fff);
    color: var(--mc-text, #101828);
    font:
      13px/1.45 system-ui,
      sans-serif;
    overflow: hidden;
  }
  header {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 6px 12px;
    padding: 6px 10px;
    background: var(--mc-header, #f9fafb);
    border-bottom: 1px solid var(--mc-border, #eaecf0);
  }
  nav {
    display: flex;
    gap: 2px;
  }
  nav button {
    border: 0;
    border-radius: 6px;
    padding: 3px 10px;
    background: none;
    color: inherit;
    font: inherit;
    cursor: pointer;
  }
  nav button[aria-selected='true'] {
    background: var(--mc-accent, #4f6bed);
    color: var(--mc-on-accent, #fff);
  }
  .figures {
    margin-left: auto;
    opacity: 0.7;
    font-size: 12px;
  }
  .body {
    overflow: auto;
    padding: 8px 10px;
  }
  .filters {
    display: flex;
    flex-wrap: wrap;
    gap: 6px;
    margin-bottom: 6px;
  }
  input,
  select,
  .filters button,
  .grants button {
    font: inherit;
    font-size: 12px;
    color: inherit;
    background: var(--mc-surface, #fff);
    border: 1px solid var(--mc-border, #d0d5dd);
    border-radius: 6px;
    padding: 2px 8px;
  }
  input {
    min-width: 14em;
  }
  button {
    cursor: pointer;
  }
  table {
    width: 100%;
    border-collapse: collapse;
    font-size: 12px;
  }
  th {
    text-align: left;
    font-weight: 600;
    opacity: 0.7;
    position: sticky;
    top: 0;
    background: var(--mc-surface, #fff);
  }
  th,
  td {
    padding: 2px 6px;
    border-bottom: 1px solid var(--mc-border, #eaecf0);
    vertical-align: top;
  }
  .num {
    text-align: right;
    font-variant-numeric: tabular-nums;
  }
  .mono,
  code {
    font-family: ui-monospace, SFMono-Regular, Menlo, monospace;
    font-size: 12px;
  }
  .topic,
  .preview {
    word-break: break-all;
  }
  td.data {
    max-width: 22em;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
    opacity: 0.8;
  }
  span.delivered {
    color: var(--mc-ok-text, #067647);
  }
  span.nobody,
  .empty,
  .hint {
    opacity: 0.65;
  }
  span.refused,
  .error {
    color: var(--mc-alert-text, #b42318);
  }
  span.state {
    color: var(--mc-accent, #4f6bed);
  }
  h3 {
    font-size: 13px;
    margin: 12px 0 4px;
  }
  h4 {
    font-size: 13px;
    margin: 0 0 4px;
  }
  .pill {
    display: inline-block;
    padding: 1px 8px;
    border-radius: 999px;
    background: var(--mc-alert-bg, #fef3f2);
    color: var(--mc-alert-text, #b42318);
  }
  .grants {
    display: grid;
    grid-template-columns: repeat(auto-fill, minmax(280px, 1fr));
    gap: 10px;
  }
  .app-grants {
    border: 1px solid var(--mc-border, #eaecf0);
    border-radius: 8px;
    padding: 6px 8px;
  }
  .app-grants ul,
  .audit {
    margin: 0;
    padding: 0;
    list-style: none;
  }
  .app-grants li {
    display: grid;
    grid-template-columns: 5.5em minmax(0, 1fr) auto;
    align-items: center;
    gap: 6px;
    padding: 1px 0;
  }
  .app-grants li code {
    overflow-wrap: anywhere;
  }
  .app-grants li.revoked code {
    text-decoration: line-through;
    opacity: 0.7;
  }
  .kind {
    opacity: 0.7;
  }
  .audit li {
    padding: 1px 0;
  }
`;
