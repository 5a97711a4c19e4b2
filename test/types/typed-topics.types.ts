// Type tests for typed topics (docs/typed-topics.md). Never run: `tsc --noEmit -p .` checks
// them. Each `@ts-expect-error` fails the check if the line stops being an error.
import {
  connect,
  storage,
  type App,
  type Client,
  type McEvent,
  type StateVersion,
  type TypedClient,
} from '../../sdk/index.ts';
import { defineApp, type AppOf } from '../../sdk/protocol/index.ts';
import * as z from 'zod';

type Equal<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const assertType = <T extends true>(): T => true as T;

interface CalendarTopics {
  'calendar.date.selected': { date: string };
  'calendar.date.cleared': undefined;
  'calendar.view.changed': { view: 'month' | 'week' };
}
type Calendar = App<'calendar', CalendarTopics, { selected: string | null }>;
type Todo = App<
  'todo',
  { 'todo.item.completed': { id: string; title: string }; 'todo.item.added': { id: string } },
  { open: number }
>;

export async function typedClient(): Promise<void> {
  const untyped = connect();
  assertType<Equal<typeof untyped, Client>>();
  const client = connect<Calendar, Todo>({ timeoutMs: 500 });
  assertType<Equal<typeof client, TypedClient<Calendar, Todo>>>();
  await client.ready;

  // Publish: own topics with their payloads.
  client.publish('calendar.date.selected', { date: '2026-11-24' });
  client.publish('calendar.date.cleared');
  // @ts-expect-error the payload has the declared shape
  client.publish('calendar.date.selected', { date: 20261124 });
  // @ts-expect-error the payload is required
  client.publish('calendar.date.selected');
  // @ts-expect-error extra keys are refused in a literal
  client.publish('calendar.date.selected', { date: 'x', day: 1 });
  // @ts-expect-error an undeclared topic of its own
  client.publish('calendar.date.picked', { date: 'x' });
  // @ts-expect-error a peer's topic is not this app's to publish
  client.publish('todo.item.completed', { id: '1', title: 't' });

  // Subscribe: one topic, its payload.
  client.subscribe('todo.item.completed', (event) => {
    assertType<Equal<typeof event.data, { id: string; title: string }>>();
    assertType<Equal<typeof event.topic, 'todo.item.completed'>>();
  });
  // A pattern over a typed app: the union of what it matches, narrowed by topic.
  client.subscribe('todo.item.*', (event) => {
    if (event.topic === 'todo.item.completed') {
      assertType<Equal<typeof event.data, { id: string; title: string }>>();
    } else {
      assertType<Equal<typeof event.data, { id: string }>>();
    }
  });
  client.subscribe('calendar.*.*', (event) => {
    assertType<
      Equal<
        typeof event.topic,
        'calendar.date.selected' | 'calendar.date.cleared' | 'calendar.view.changed'
      >
    >();
  });
  // A pattern any app may match, or an app that is not typed: unknown data.
  client.subscribe('*.item.completed', (event) => {
    assertType<Equal<typeof event, McEvent<unknown>>>();
  });
  client.subscribe('chat.message.sent', (event) => {
    assertType<Equal<typeof event.data, unknown>>();
  });
  // @ts-expect-error a typed app's topic that it does not declare
  client.subscribe('todo.item.deleted', () => undefined);
  // @ts-expect-error no declared topic of todo has four segments
  client.subscribe('todo.*.*.*', () => undefined);
  client.subscribe('todo.item.completed', (event) => {
    // @ts-expect-error data is typed by the topic
    event.data.done.toString();
  });

  // State: own to set, typed reads of own and peers', unknown for others.
  client.state.set({ selected: '2026-11-24' });
  // @ts-expect-error own state has its declared shape
  client.state.set({ selected: 1 });
  const todo = await client.state.get('todo');
  assertType<Equal<typeof todo, StateVersion<{ open: number }>>>();
  client.state.watch('calendar', (s) => {
    assertType<Equal<typeof s.value, { selected: string | null }>>();
  });
  const other = await client.state.get('weather');
  assertType<Equal<typeof other.value, unknown>>();

  // The rest of the client is untouched, and the service helpers take it.
  client.onError((error) => error.code);
  void storage(client).keys();
  // @ts-expect-error only the host's service methods can be called (not `storage.get`)
  void client.call('storage.get', ['k']);
  const keys = await client.call('storageKeys', [], { timeoutMs: 100 });
  assertType<Equal<typeof keys, string[]>>();
}

export function definedWithZod(): void {
  const calendar = defineApp({
    id: 'calendar',
    topics: {
      'calendar.date.selected': z.object({ date: z.iso.date() }),
      'calendar.view.changed': z.object({ view: z.enum(['month', 'week']) }),
    },
    state: z.object({ selected: z.string().nullable() }),
  });
  type Calendar = AppOf<typeof calendar>;
  assertType<Equal<Calendar['id'], 'calendar'>>();
  assertType<Equal<Calendar['state'], { selected: string | null }>>();
  const client = connect<Calendar>();
  client.publish('calendar.view.changed', { view: 'week' });
  // @ts-expect-error the payload is the schema's output type
  client.publish('calendar.view.changed', { view: 'year' });
  // @ts-expect-error undeclared topic
  client.publish('calendar.view.reset', {});
  client.subscribe('calendar.date.selected', (event) => {
    assertType<Equal<typeof event.data, { date: string }>>();
  });
  const stateless = defineApp({ id: 'clock', topics: { 'clock.tick.sent': z.number() } });
  assertType<Equal<AppOf<typeof stateless>['state'], unknown>>();
}
