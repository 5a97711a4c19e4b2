import {
  confirm,
  connect,
  notify,
  shortcuts,
  storage,
  type AppStorage,
  type Subscription,
  type TypedClient,
} from 'microcanvas/sdk';

import { TodoBackend } from './backend-client.ts';
import { isIsoDate, isoDate, seedTodos, type Todo } from './seed.ts';
import type { CalendarApp } from '../calendar/topics.ts';
import type { TodoApp } from './topics.ts';

/** Typed by what the todo app publishes and shares and the calendar publishes. */
type TodoClient = TypedClient<TodoApp, CalendarApp>;

/**
 * Todo: dated items. Follows `calendar.date.selected` to show one day's items, publishes
 * `todo.item.completed` when one is ticked, and keeps its public state (`open` count and
 * open items per date) current for readers such as the calendar.
 */

const $ = (id: string): HTMLElement => document.getElementById(id) as HTMLElement;

let todos: Todo[] = seedTodos();
/** The host keeps the items (a sandboxed frame has no storage of its own)… */
let store: AppStorage | undefined;
/** …unless the app's backend does (with a server: the items follow the user's devices). */
let backend: TodoBackend | undefined;
let filter: string | null = null;
let nextId = todos.length + 1;

function formatter(locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  try {
    return new Intl.DateTimeFormat(locale, options);
  } catch {
    return new Intl.DateTimeFormat('en', options);
  }
}

/** Our own items, read back from the host: still checked, item by item. */
function readSaved(value: unknown): Todo[] | null {
  if (!Array.isArray(value)) return null;
  const items = value.filter(
    (t): t is Todo =>
      typeof t === 'object' &&
      t !== null &&
      typeof t.id === 'string' &&
      typeof t.title === 'string' &&
      isIsoDate(t.date) &&
      typeof t.done === 'boolean',
  );
  return items.length === value.length
    ? items.map((t) => ({ ...t, title: t.title.slice(0, 120) }))
    : null;
}

/** A backend call that failed is shown, not thrown. */
function report(client: TodoClient, what: string) {
  return (error: unknown) =>
    void notify(client, `Could not ${what}: ${String(error)}`, { kind: 'error' }).catch(() => {});
}

/** Saves the items with the host (the backend keeps its own); a full quota is shown, not thrown. */
function save(client: TodoClient): void {
  if (backend) return;
  store?.set('todos', todos).catch((error: unknown) => {
    void notify(client, `Could not save: ${String(error)}`, { kind: 'error' }).catch(() => {});
  });
}

/** Asks (in a host-drawn dialog) before removing the completed items. */
async function clearDone(client: TodoClient): Promise<void> {
  const done = todos.filter((t) => t.done).length;
  if (done === 0) return;
  const sure = await confirm(client, `Remove ${done} completed todo${done === 1 ? '' : 's'}?`, {
    title: 'Clear completed',
    confirmLabel: 'Remove',
  }).catch(() => false);
  if (!sure) return;
  todos = todos.filter((t) => !t.done);
  backend?.clearDone().catch(report(client, 'remove the completed todos'));
  publishState(client);
  render(client);
  save(client);
  void notify(client, `Removed ${done} completed todo${done === 1 ? '' : 's'}`, {
    kind: 'success',
  }).catch(() => {});
}

/** Publishes what other apps may read: counts only, no titles. */
function publishState(client: TodoClient): void {
  const byDate: Record<string, number> = {};
  for (const t of todos) if (!t.done) byDate[t.date] = (byDate[t.date] ?? 0) + 1;
  client.state.set({
    open: todos.filter((t) => !t.done).length,
    total: todos.length,
    byDate,
  });
}

function render(client: TodoClient): void {
  const { locale } = client.context;
  const day = formatter(locale, { weekday: 'short', month: 'short', day: 'numeric' });
  const label = (date: string) => day.format(new Date(`${date}T00:00`));

  const visible = todos
    .filter((t) => filter === null || t.date === filter)
    .sort((a, b) => a.date.localeCompare(b.date) || Number(a.done) - Number(b.done));
  const open = todos.filter((t) => !t.done).length;

  $('filter-label').textContent = filter ? label(filter) : 'All todos';
  $('summary').textContent = `${open} open · ${todos.length - open} done`;
  $('show-all').hidden = filter === null;
  ($('clear-done') as HTMLButtonElement).disabled = !todos.some((t) => t.done);
  ($('new-title') as HTMLInputElement).placeholder =
    `Add a todo for ${filter ? label(filter) : 'today'}…`;

  const rows = visible.map((todo) => {
    const li = document.createElement('li');
    li.className = 'item';
    li.dataset.id = todo.id;
    li.classList.toggle('done', todo.done);
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.checked = todo.done;
    box.addEventListener('change', () => toggle(client, todo, box.checked));
    const title = document.createElement('span');
    title.className = 'title';
    title.textContent = todo.title;
    const date = document.createElement('span');
    date.className = 'date';
    date.textContent = todo.date === isoDate(new Date()) ? 'Today' : label(todo.date);
    const labelEl = document.createElement('label');
    labelEl.append(box, title, date);
    li.append(labelEl);
    return li;
  });
  $('items').replaceChildren(...rows);
  $('empty').hidden = rows.length > 0;
  $('empty').textContent = filter ? `Nothing planned for ${label(filter)}.` : 'Nothing to do.';
}

function toggle(client: TodoClient, todo: Todo, done: boolean): void {
  todo.done = done;
  backend?.setDone(todo.id, done).catch(report(client, 'save the tick'));
  if (done)
    client.publish('todo.item.completed', { id: todo.id, title: todo.title, date: todo.date });
  publishState(client);
  render(client);
  save(client);
}

function add(client: TodoClient, title: string): void {
  const date = filter ?? isoDate(new Date());
  if (backend) {
    backend.add(title, date).then(
      (item) => {
        todos.push(item);
        publishState(client);
        render(client);
      },
      report(client, 'add the todo'),
    );
    return;
  }
  todos.push({ id: `t${nextId++}`, title, date, done: false });
  publishState(client);
  render(client);
  save(client);
}

/**
 * Marks the page once the broker has accepted every subscription, so a host or a test can
 * tell the widget is listening. A refusal is shown, not swallowed.
 */
function markReady(subscriptions: Subscription[]): void {
  Promise.all(subscriptions.map((s) => s.ready)).then(
    () => {
      document.body.dataset.ready = 'true';
    },
    (error: unknown) => {
      $('notice').hidden = false;
      $('notice').textContent = `The host refused a subscription: ${String(error)}`;
    },
  );
}

/** Calls `action` on a click of `button` and on Enter in `input` (not while composing). */
function onEnterOrClick(input: HTMLElement, button: HTMLElement, action: () => void): void {
  button.addEventListener('click', action);
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.isComposing) action();
  });
}

async function main(): Promise<void> {
  let client: TodoClient;
  try {
    client = connect<TodoApp, CalendarApp>();
    await client.ready;
  } catch (error) {
    document.querySelector('.app')?.remove();
    $('notice').hidden = false;
    $('notice').textContent =
      `This is a microcanvas widget: open it in the demo canvas. (${String(error)})`;
    return;
  }
  document.documentElement.dataset.theme = client.context.theme;
  document.documentElement.lang = client.context.locale;
  // The SDK applies the host's tokens (--mc-*); the app's own palette follows the theme.
  client.onContext((context) => (document.documentElement.dataset.theme = context.theme));
  store = storage(client);
  const saved = readSaved(await store.get('todos').catch(() => null));
  if (saved) {
    todos = saved;
    nextId = todos.length + 1;
    while (todos.some((t) => t.id === `t${nextId}`)) nextId++;
  }
  // With a server and the identity service, the backend owns the items: they survive reloads
  // and reach the user's other devices; it also remembers the day last picked in the calendar
  // (it hears calendar.date.selected by webhook), so another device opens on that day.
  const remote = await TodoBackend.connect(client);
  const loaded = await remote?.load().catch(report(client, 'load the todos'));
  if (remote && loaded) {
    backend = remote;
    todos = loaded.items;
    filter = loaded.selected;
  }

  // A tick the host refused to pass on (or rate-limited) is shown, not swallowed; so is a
  // subscription the host ended (the todo list then no longer follows the calendar).
  client.onError((error) => {
    const text =
      error.operation === 'publish'
        ? `Could not tell the other apps (${error.code})`
        : error.operation === 'subscribe'
          ? `No longer following the calendar: ${error.message} (${error.code})`
          : `${error.message} (${error.code})`;
    void notify(client, text, { kind: 'error' }).catch(() => {});
  });
  // Events come from other apps: take only a well-formed date and nothing else.
  const selected = client.subscribe('calendar.date.selected', (event) => {
    // Typed by the calendar's declaration, and held to it by the broker when the calendar's
    // manifest has its schema (the demo's has); checked anyway, as a host may register it
    // without one.
    const date: unknown = event.data?.date;
    if (!isIsoDate(date)) return;
    filter = date;
    render(client);
  });
  $('show-all').addEventListener('click', () => {
    filter = null;
    render(client);
  });
  const input = $('new-title') as HTMLInputElement;
  onEnterOrClick(input, $('add'), () => {
    const title = input.value.trim().slice(0, 120);
    if (!title) return;
    input.value = '';
    add(client, title);
  });
  $('clear-done').addEventListener('click', () => void clearDone(client));
  // Alt+N (declared in the manifest) jumps to the new-todo field.
  shortcuts(client, (combo) => {
    if (combo === 'Alt+N') input.focus();
  });
  publishState(client);
  render(client);
  markReady([selected]);
}

void main();
