import { connect, notify, shortcuts, type Subscription, type TypedClient } from 'microcanvas/sdk';

import type { TodoApp } from '../todo/topics.ts';
import type { ChatApp } from './topics.ts';

/** Typed by what the chat publishes and the todo app announces (docs/typed-topics.md). */
type ChatClient = TypedClient<ChatApp, TodoApp>;

/**
 * Chat: a message log and an input. Sending publishes `chat.message.sent`; messages from
 * other chat instances arrive on the same topic; `todo.item.completed` becomes a line in the
 * log. Everything another app sends is shown as text (textContent), never as markup.
 */

const $ = (id: string): HTMLElement => document.getElementById(id) as HTMLElement;

/** Who is typing here. A demo has one user. */
const ME = 'Alice';
/** Longest message shown or sent. */
const MAX_TEXT = 500;

type Line =
  | { kind: 'message'; author: string; text: string; mine: boolean }
  | { kind: 'system'; text: string };

/** A string field of untrusted data, trimmed and capped; null when absent or not text. */
function textField(data: unknown, key: string, max = MAX_TEXT): string | null {
  if (typeof data !== 'object' || data === null) return null;
  const value = (data as Record<string, unknown>)[key];
  if (typeof value !== 'string') return null;
  const text = value.trim().slice(0, max);
  return text === '' ? null : text;
}

function append(line: Line): void {
  const li = document.createElement('li');
  li.className = line.kind;
  const time = document.createElement('time');
  time.textContent = new Date().toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  if (line.kind === 'message') {
    li.classList.toggle('mine', line.mine);
    const author = document.createElement('span');
    author.className = 'author';
    author.textContent = line.author;
    const text = document.createElement('p');
    text.className = 'text';
    text.textContent = line.text;
    li.append(author, time, text);
  } else {
    const text = document.createElement('span');
    text.className = 'text';
    text.textContent = line.text;
    li.append(text, time);
  }
  const log = $('log');
  log.append(li);
  log.scrollTop = log.scrollHeight;
}

/** Calls `action` on a click of `button` and on Enter in `input` (not while composing). */
function onEnterOrClick(input: HTMLElement, button: HTMLElement, action: () => void): void {
  button.addEventListener('click', action);
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.isComposing) action();
  });
}

function wire(client: ChatClient): Subscription[] {
  const completed = client.subscribe('todo.item.completed', (event) => {
    const title = textField(event.data, 'title', 120);
    if (!title) return;
    append({ kind: 'system', text: `✔ ${ME} completed: ${title}` });
    // A host-drawn toast, labelled "Chat" by the host; the host rate-limits it.
    void notify(client, `${ME} completed: ${title}`, { kind: 'success' }).catch(() => {});
  });
  const messages = client.subscribe('chat.message.sent', (event) => {
    // Our own messages come back too; they are already in the log. `slot` is what the
    // sender claims, used only to skip the echo, never to decide anything that matters.
    if (textField(event.data, 'slot', 64) === client.context.slotId) return;
    const text = textField(event.data, 'text');
    if (!text) return;
    const author = textField(event.data, 'author', 40) ?? 'Someone';
    append({ kind: 'message', author, text, mine: false });
  });
  // A message the host refused (or rate-limited) never left: say so, in the log and a toast.
  // Anything else the host ended (a revoked subscription, say) is a line in the log.
  client.onError((error) => {
    if (error.operation !== 'publish') {
      append({ kind: 'system', text: `${error.message} (${error.code})` });
      return;
    }
    append({ kind: 'system', text: `Not sent: ${error.message} (${error.code})` });
    void notify(client, `Message not sent (${error.code})`, { kind: 'error' }).catch(() => {});
  });
  const input = $('message') as HTMLInputElement;
  onEnterOrClick(input, $('send'), () => {
    const text = input.value.trim().slice(0, MAX_TEXT);
    if (!text) return;
    input.value = '';
    append({ kind: 'message', author: ME, text, mine: true });
    client.publish('chat.message.sent', { text, author: ME, slot: client.context.slotId });
  });
  return [completed, messages];
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
  let client: ChatClient;
  try {
    client = connect<ChatApp, TodoApp>();
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
  // Alt+M (declared in the manifest) jumps to the message field.
  shortcuts(client, (combo) => {
    if (combo === 'Alt+M') $('message').focus();
  });
  $('who').textContent = `signed in as ${ME}`;
  append({
    kind: 'message',
    author: 'Bob',
    text: 'Morning! Is anyone getting milk today?',
    mine: false,
  });
  append({
    kind: 'message',
    author: 'Carol',
    text: 'The plumber is coming at 3, someone has to call him back.',
    mine: false,
  });
  markReady(wire(client));
}

void main();
