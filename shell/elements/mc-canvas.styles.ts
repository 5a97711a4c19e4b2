import { css } from 'lit';

/**
 * `<mc-canvas>`: the canvas box, and its slot chrome (positions, edit tools, focus ring, pointer
 * shield). Comments stay out of the css template, which ships as written: every slot has its
 * own z-index (its place in the layout, set by the element), so it is a stacking context and
 * its edit tools never paint over, nor take the clicks of, a slot above it; the canvas
 * isolates those z-indexes from the page. An editable slot's header leaves room for the edit
 * tools and shows it is a drag handle; `.shield` lies over every frame while a gesture runs,
 * so no iframe swallows the pointer.
 */
export const canvasStyles = css`
  :host {
    display: block;
    position: relative;
    isolation: isolate;
    min-height: 200px;
  }
  .slot {
    position: absolute;
    box-sizing: border-box;
    border-radius: 10px;
  }
  .slot mc-frame {
    position: absolute;
    inset: 0;
  }
  .slot:focus-visible,
  .slot button:focus-visible {
    outline: 3px solid var(--mc-focus, #2e90fa);
    outline-offset: 2px;
  }
  .slot.active {
    box-shadow: 0 12px 28px rgb(16 24 40 / 22%);
  }
  :host([editable]) .slot mc-frame::part(header) {
    padding-right: 64px;
    cursor: grab;
  }
  .tools {
    position: absolute;
    top: 4px;
    right: 6px;
    display: flex;
    gap: 2px;
    z-index: 1;
  }
  .tools button {
    width: 26px;
    height: 24px;
    padding: 0;
    border: 1px solid transparent;
    border-radius: 6px;
    background: transparent;
    color: var(--mc-text, #475467);
    font:
      600 15px/1 system-ui,
      sans-serif;
    cursor: pointer;
  }
  .tools button:hover {
    background: var(--mc-hover, rgb(16 24 40 / 8%));
  }
  .tools .grip {
    cursor: grab;
    touch-action: none;
  }
  .tools .remove:hover {
    color: #b42318;
  }
  .resize {
    position: absolute;
    right: 0;
    bottom: 0;
    width: 18px;
    height: 18px;
    padding: 0;
    border: 0;
    border-radius: 0 0 10px 0;
    background: linear-gradient(
      135deg,
      transparent 50%,
      var(--mc-handle, #98a2b3) 50%,
      var(--mc-handle, #98a2b3) 60%,
      transparent 60%,
      transparent 70%,
      var(--mc-handle, #98a2b3) 70%,
      var(--mc-handle, #98a2b3) 80%,
      transparent 80%
    );
    cursor: nwse-resize;
    touch-action: none;
    z-index: 1;
  }
  .extent {
    pointer-events: none;
  }
  .shield {
    position: fixed;
    inset: 0;
    z-index: 2147483647;
    cursor: grabbing;
  }
  .shield.mode-resize {
    cursor: nwse-resize;
  }
  .sr-only {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }
`;
