import type { McEvent, StateVersion } from 'microcanvas/sdk';

/** Longest rendering of a payload in the panel; the rest is cut with an ellipsis. */
const MAX_PAYLOAD_CHARS = 160;

/** JSON for display, cut to `max` characters. Data comes from widgets: it is only ever text. */
export function preview(value: unknown, max = MAX_PAYLOAD_CHARS): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? 'undefined';
  } catch {
    text = '(not JSON)';
  }
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** The newest events the host page saw on the broker, newest first, as text. */
export class EventLog {
  readonly #list: HTMLElement;
  readonly #max: number;
  #count = 0;

  constructor(list: HTMLElement, max = 8) {
    this.#list = list;
    this.#max = max;
  }

  /** How many events were seen in total. */
  get count(): number {
    return this.#count;
  }

  add(event: McEvent): void {
    this.#count++;
    const item = document.createElement('li');
    const time = document.createElement('time');
    time.textContent = new Date().toLocaleTimeString([], { hour12: false });
    const topic = document.createElement('code');
    topic.className = 'topic';
    topic.textContent = event.topic;
    const source = document.createElement('span');
    source.className = 'source';
    source.textContent = `from ${event.source}`;
    const data = document.createElement('code');
    data.className = 'data';
    data.textContent = preview(event.data);
    item.append(time, topic, source, data);
    this.#list.querySelector('.empty')?.remove();
    this.#list.prepend(item);
    while (this.#list.children.length > this.#max) this.#list.lastElementChild?.remove();
  }
}

/** Shows each app's public state as the host sees it (the host may read every app's). */
export class StateView {
  readonly #root: HTMLElement;
  readonly #rows = new Map<string, HTMLElement>();

  constructor(root: HTMLElement) {
    this.#root = root;
  }

  update(state: StateVersion): void {
    let row = this.#rows.get(state.app);
    if (!row) {
      row = document.createElement('div');
      row.className = 'state-row';
      this.#rows.set(state.app, row);
      this.#root.append(row);
    }
    const name = document.createElement('span');
    name.className = 'app';
    name.textContent = state.app;
    const version = document.createElement('span');
    version.className = 'version';
    version.textContent = state.version === 0 ? 'not set' : `v${state.version}`;
    const value = document.createElement('code');
    value.textContent = state.version === 0 ? '—' : preview(state.value);
    row.replaceChildren(name, version, value);
  }
}
