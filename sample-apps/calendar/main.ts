import {
  autoResize,
  connect,
  shortcuts,
  type Subscription,
  type TypedClient,
} from 'microcanvas/sdk';

import type { TodoApp } from '../todo/topics.ts';
import type { CalendarApp } from './topics.ts';

/** Typed by what the calendar publishes and the todo app shares (docs/typed-topics.md). */
type CalendarClient = TypedClient<CalendarApp, TodoApp>;

import { addMonths, isIsoDate, isoDate, monthGrid } from './dates.ts';

/**
 * Calendar: a month grid. Selecting a day publishes `calendar.date.selected`; it reads the
 * todo app's public state to show how many todos are open (and dots on days that have some).
 */

const $ = (id: string): HTMLElement => document.getElementById(id) as HTMLElement;

interface TodoSummary {
  open: number;
  byDate: Map<string, number>;
}

const today = isoDate(new Date());
let view = new Date();
view.setDate(1);
let selected: string | null = null;
let todos: TodoSummary | null = null;

/**
 * The todo app's state comes from another app: trust nothing about its shape. Returns null
 * when it is not what we expect.
 */
function readTodoState(value: unknown): TodoSummary | null {
  if (typeof value !== 'object' || value === null) return null;
  const { open, byDate } = value as Record<string, unknown>;
  if (typeof open !== 'number' || !Number.isInteger(open) || open < 0) return null;
  const dates = new Map<string, number>();
  if (typeof byDate === 'object' && byDate !== null) {
    for (const [date, count] of Object.entries(byDate)) {
      if (isIsoDate(date) && typeof count === 'number' && count > 0) dates.set(date, count);
    }
  }
  return { open, byDate: dates };
}

function formatter(locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  try {
    return new Intl.DateTimeFormat(locale, options);
  } catch {
    return new Intl.DateTimeFormat('en', options);
  }
}

function render(client: CalendarClient): void {
  const { locale } = client.context;
  $('month').textContent = formatter(locale, { month: 'long', year: 'numeric' }).format(view);

  const long = formatter(locale, { weekday: 'long', month: 'long', day: 'numeric' });
  const cells = monthGrid(view).map((day) => {
    const date = isoDate(day);
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'day';
    button.dataset.date = date;
    button.textContent = String(day.getDate());
    button.setAttribute('aria-label', long.format(day));
    button.setAttribute('aria-pressed', String(date === selected));
    if (day.getMonth() !== view.getMonth()) button.classList.add('outside');
    if (date === today) button.setAttribute('aria-current', 'date');
    const count = todos?.byDate.get(date) ?? 0;
    if (count > 0) {
      const dot = document.createElement('span');
      dot.className = 'dot';
      dot.title = `${count} open`;
      button.append(dot);
    }
    button.addEventListener('click', () => select(client, date, day));
    return button;
  });
  $('days').replaceChildren(...cells);

  $('open-count').textContent = todos
    ? `${todos.open} open ${todos.open === 1 ? 'todo' : 'todos'}`
    : 'Waiting for todos…';
  $('selected-label').textContent = selected
    ? formatter(locale, { weekday: 'short', month: 'short', day: 'numeric' }).format(
        new Date(`${selected}T00:00`),
      )
    : 'Pick a day';
}

function select(client: CalendarClient, date: string, day: Date): void {
  selected = date;
  if (day.getMonth() !== view.getMonth()) view = new Date(day.getFullYear(), day.getMonth(), 1);
  client.publish('calendar.date.selected', { date });
  render(client);
}

function renderWeekdays(locale: string): void {
  const short = formatter(locale, { weekday: 'short' });
  // 2024-01-01 was a Monday; weeks start on Monday.
  const labels = Array.from({ length: 7 }, (_, i) => {
    const span = document.createElement('span');
    span.textContent = short.format(new Date(2024, 0, 1 + i));
    return span;
  });
  $('weekdays').replaceChildren(...labels);
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

async function main(): Promise<void> {
  let client: CalendarClient;
  try {
    client = connect<CalendarApp, TodoApp>();
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
  renderWeekdays(client.context.locale);
  $('prev').addEventListener('click', () => {
    view = addMonths(view, -1);
    render(client);
  });
  $('next').addEventListener('click', () => {
    view = addMonths(view, 1);
    render(client);
  });
  // A selection the host refused to pass on (or rate-limited) is shown, not swallowed.
  client.onError((error) => {
    $('notice').hidden = false;
    $('notice').textContent =
      error.operation === 'publish'
        ? `The other apps were not told: ${error.message} (${error.code})`
        : `${error.message} (${error.code})`;
  });
  const watch = client.state.watch('todo', (state) => {
    todos = state.version === 0 ? null : readTodoState(state.value);
    render(client);
  });
  render(client);
  // The slot's height follows the month grid (the manifest makes height content-driven).
  autoResize(client, { height: 'content' });
  // Alt+T (declared in the manifest) jumps back to this month, and the host hears of it.
  shortcuts(client, (combo) => {
    if (combo !== 'Alt+T') return;
    view = addMonths(new Date(), 0);
    render(client);
  });
  markReady([watch]);
}

void main();
