import { css } from 'lit';

/**
 * The slot's chrome: its border, header (name, status, Reload) and the iframe below. The app
 * name is security UI (it tells the user which app a frame is): it is never cut or squeezed.
 * It wraps, word by word and then anywhere, and the status and Reload move to the next line
 * when there is no room beside it (an error status names its cause, a URL say, and wraps
 * too), at every width down to the editor's minimum (issue 14, item 10).
 */
export const frameStyles = css`
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
    flex-wrap: wrap;
    gap: 2px 8px;
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
    flex: 1 1 auto;
    min-width: 0;
    overflow-wrap: anywhere;
  }
  .status {
    overflow-wrap: anywhere;
    font-weight: 500;
    font-size: 11px;
    padding: 1px 8px;
    border-radius: 999px;
    background: #eef4ff;
    color: #3538cd;
  }
  .status.connected {
    background: var(--mc-ok-bg, #ecfdf3);
    color: var(--mc-ok-text, #027a48);
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
    background: var(--mc-alert-bg, #fef3f2);
    color: var(--mc-alert-text, #b42318);
  }
  iframe {
    flex: 1;
    width: 100%;
    border: 0;
    display: block;
  }
`;
