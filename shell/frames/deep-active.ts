/**
 * The focused element, looking through shadow roots (slots live in `<mc-frame>`'s): an
 * `<iframe>` when a widget holds focus. The focus and history guards both ask it.
 */
export function deepActive(document: Document): Element | null {
  let active = document.activeElement;
  while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
  return active;
}
