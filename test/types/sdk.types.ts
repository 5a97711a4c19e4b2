// Type tests for the SDK's public types. Never run: `tsc --noEmit -p .` checks them (the root
// tsconfig includes `test/`). Each `@ts-expect-error` fails the check if the line stops being
// an error, so loosening a public type breaks the build.
import {
  McError,
  connect,
  type AppContext,
  type Client,
  type ErrorCode,
  type McEvent,
  type StateVersion,
  type Subscription,
  type Topic,
  type TopicPattern,
} from '../../sdk/index.ts';

/** Compiles only when `A` and `B` are the same type. */
type Equal<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const assertType = <T extends true>(): T => true as T;

export async function connectTypes(): Promise<void> {
  const client = connect();
  assertType<Equal<typeof client, Client>>();
  assertType<Equal<typeof client.ready, Promise<void>>>();
  await client.ready;
  connect({ timeoutMs: 500 });
  // @ts-expect-error timeoutMs is a number of milliseconds
  connect({ timeoutMs: '500' });
  // @ts-expect-error unknown option
  connect({ timeout: 500 });
  client.onHostStatus((status) => assertType<Equal<typeof status, 'connected' | 'away'>>());
  client.onContext((context) => assertType<Equal<typeof context.theme, 'light' | 'dark'>>());
  const stored = await client.call('storageGet', ['k'], { timeoutMs: 100 });
  assertType<Equal<typeof stored, string | null>>();
  const keys = await client.call('storageKeys');
  assertType<Equal<typeof keys, string[]>>();
  const size = await client.call('resize', [{ height: 120 }]);
  assertType<Equal<typeof size.frozen, boolean>>();
  // @ts-expect-error call options take timeoutMs
  void client.call('storageKeys', [], { timeout: 1 });
  // @ts-expect-error only the host's service methods can be called
  void client.call('storage.get', ['k']);
  // @ts-expect-error storageGet takes a key
  void client.call('storageGet', [1]);
  // @ts-expect-error storageGet needs its arguments
  void client.call('storageGet');
  // @ts-expect-error resize takes a PixelSize
  void client.call('resize', [{ height: '120px' }]);
}

export function publishTypes(client: Client): void {
  client.publish('calendar.date.selected', { day: '2026-01-01' });
  client.publish('calendar.date.selected');
  client.publish('a.b.c.d.e.f', 1);
  const dynamic: Topic = `calendar.${'date' as string}.selected`;
  client.publish(dynamic, null);

  // @ts-expect-error a topic has at least three segments
  client.publish('calendar.selected', {});
  // @ts-expect-error a topic has at least three segments
  client.publish('calendar', {});
  // @ts-expect-error a plain string is not known to be a topic
  client.publish('calendar.date.selected' as string, {});
  // @ts-expect-error topics are strings
  client.publish(42, {});
  // @ts-expect-error publish returns nothing to await
  client.publish('a.b.c', 1).then(() => undefined);
}

export function subscribeTypes(client: Client): void {
  const stop = client.subscribe('calendar.*.selected', (event) => {
    assertType<Equal<typeof event, McEvent<unknown>>>();
    assertType<Equal<typeof event.topic, Topic>>();
    assertType<Equal<typeof event.source, string>>();
    assertType<Equal<typeof event.data, unknown>>();
  });
  assertType<Equal<typeof stop, Subscription>>();
  assertType<Equal<ReturnType<typeof stop>, void>>();
  assertType<Equal<typeof stop.ready, Promise<void>>>();

  client.subscribe<{ day: string }>('calendar.date.selected', (event) => {
    assertType<Equal<typeof event.data, { day: string }>>();
    // @ts-expect-error data is typed by the type argument
    event.data.month.toString();
  });
  const pattern: TopicPattern = '*.*.selected';
  client.subscribe(pattern, () => undefined);

  // @ts-expect-error a pattern has at least three segments
  client.subscribe('calendar.*', () => undefined);
  // @ts-expect-error the handler takes an event, not a topic string
  client.subscribe('a.b.c', (topic: number) => topic);
  // @ts-expect-error a handler is required
  client.subscribe('a.b.c');
  // @ts-expect-error `ready` is read-only
  stop.ready = Promise.resolve();
}

export async function stateTypes(client: Client): Promise<void> {
  client.state.set({ count: 1 });
  const snapshot = await client.state.get<{ count: number }>('counter');
  assertType<Equal<typeof snapshot, StateVersion<{ count: number }>>>();
  assertType<Equal<typeof snapshot.version, number>>();
  assertType<Equal<typeof snapshot.app, string>>();

  const stop = client.state.watch<{ count: number }>('counter', (state) => {
    assertType<Equal<typeof state.value, { count: number }>>();
  });
  assertType<Equal<typeof stop, Subscription>>();

  // @ts-expect-error state.get takes an app id
  await client.state.get();
  // @ts-expect-error state.watch needs a handler
  client.state.watch('counter');
  // @ts-expect-error set returns nothing to await
  await client.state.set(1).then(() => undefined);
}

export function contextAndErrorTypes(client: Client): void {
  assertType<Equal<typeof client.context, AppContext>>();
  assertType<Equal<typeof client.context.theme, 'light' | 'dark'>>();
  // @ts-expect-error context is read-only
  client.context = { appId: 'x', slotId: 'y', theme: 'light', locale: 'en' };

  const off = client.onError((error) => {
    assertType<Equal<typeof error, McError>>();
    assertType<Equal<typeof error.code, ErrorCode>>();
  });
  assertType<Equal<typeof off, () => void>>();

  const error = new McError('TOPIC_INVALID', 'bad topic');
  assertType<Equal<typeof error.code, ErrorCode>>();
  const code: ErrorCode = 'RATE_LIMITED';
  void code;
  // @ts-expect-error codes are a closed set
  void new McError('NOT_A_CODE', 'nope');
  // @ts-expect-error codes are read-only
  error.code = 'RATE_LIMITED';
}
