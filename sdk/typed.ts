/**
 * Typed topics (docs/typed-topics.md): compile-time types over the one runtime `Client`. An
 * app declares its id, its topics' payloads and its public state once, as an {@link App}
 * type; `connect<Own, Peers>()` then types `publish`, `subscribe` and `state` for its own
 * and its peers' topics. Types only: nothing here reaches a widget's bundle.
 */
import type { Client, McEvent, StateVersion, Subscription } from './client.ts';
import type { App } from './protocol/app-schemas.ts';
import type { Topic, TopicPattern } from './protocol/topics.ts';

export type { App };

/** A topic or pattern as its segments: `'a.b.c'` → `['a', 'b', 'c']`. */
export type Split<S extends string> = S extends `${infer Head}.${infer Rest}`
  ? [Head, ...Split<Rest>]
  : [S];
/** Whether pattern segments `P` match topic segments `T` (`*` = one segment). */
export type SegmentsMatch<P extends string[], T extends string[]> = P extends [
  infer PH extends string,
  ...infer PR extends string[],
]
  ? T extends [infer TH extends string, ...infer TR extends string[]]
    ? PH extends '*' | TH
      ? SegmentsMatch<PR, TR>
      : false
    : false
  : T extends []
    ? true
    : false;

/** The topics of `A` (one app or a union of apps) that `P` matches, `*` = one segment. */
export type TopicsMatching<A extends App, P extends string> = A extends App
  ? {
      [K in keyof A['topics'] & string]: SegmentsMatch<Split<P>, Split<K>> extends true ? K : never;
    }[keyof A['topics'] & string]
  : never;

/** The payload `A` (one app or a union) declares for `topic`. */
export type PayloadOf<A extends App, T extends string> = A extends App
  ? T extends keyof A['topics']
    ? A['topics'][T]
    : never
  : never;

/** The first segment of a pattern: an app id, or `*`. */
export type SourceOf<P extends string> = P extends `${infer Head}.${string}` ? Head : P;

/**
 * What a typed subscriber gets for pattern `P`. When `P` names a typed app (its first
 * segment is an id of `A`): a union of that app's matching topics, each event with its own
 * topic and payload, so `switch (event.topic)` narrows `data`. When it starts with `*` or
 * names an app that is not typed: `McEvent<unknown>`, since any app on the canvas may
 * publish what it matches.
 */
export type TypedEvent<A extends App, P extends string> =
  SourceOf<P> extends A['id']
    ? { [T in TopicsMatching<A, P>]: McEvent<PayloadOf<A, T>> & { topic: T } }[TopicsMatching<A, P>]
    : McEvent<unknown>;

/**
 * `P` itself when it is allowed, else an error message the compiler shows: a pattern that
 * names a typed app must match at least one of its declared topics.
 */
export type KnownPattern<A extends App, P extends string> =
  SourceOf<P> extends A['id']
    ? [TopicsMatching<A, P>] extends [never]
      ? `no declared topic of ${SourceOf<P>} matches ${P}`
      : P
    : P;

/** The public state type of app `Id` when typed in `A`, else unknown. */
export type StateOf<A extends App, Id extends string> = A extends App
  ? Id extends A['id']
    ? A['state']
    : never
  : never;
/** {@link StateOf} for an app typed in `A`, `unknown` for any other app. */
export type StateOrUnknown<A extends App, Id extends string> = Id extends A['id']
  ? StateOf<A, Id>
  : unknown;

/** `publish`'s data: optional when the payload type allows `undefined`. */
export type DataArgs<D> = undefined extends D ? [data?: D] : [data: D];

/**
 * The typed view of a {@link Client} for app `Own` with peers `Peers` (a union of
 * {@link App}s): `connect<Own, Peers>()` returns it. Same object, same behaviour; only the
 * types of `publish`, `subscribe` and `state` are narrower. The service helpers
 * (`storage(client)`, `autoResize(client)`, …) take it as they take a `Client`; code of
 * one's own that takes a `Client` can take a `TypedClient<App>` (or `Pick<Client, …>`).
 */
export interface TypedClient<Own extends App, Peers extends App = never> extends Omit<
  Client,
  'publish' | 'subscribe' | 'state'
> {
  /** Publishes one of `Own`'s declared topics with its payload type. */
  publish<T extends keyof Own['topics'] & Topic>(
    topic: T,
    ...data: DataArgs<Own['topics'][T]>
  ): void;
  /**
   * Subscribes to a pattern; its handler's event is typed by the topics it matches
   * ({@link TypedEvent}). A pattern naming a typed app must match one of its topics.
   */
  subscribe<P extends TopicPattern>(
    pattern: KnownPattern<Own | Peers, P>,
    handler: (event: TypedEvent<Own | Peers, P>) => void,
  ): Subscription;
  /** Public state: `Own`'s to set, typed reads of `Own`'s and peers' (unknown for others). */
  readonly state: {
    set(value: Own['state']): void;
    get<Id extends string>(app: Id): Promise<StateVersion<StateOrUnknown<Own | Peers, Id>>>;
    watch<Id extends string>(
      app: Id,
      handler: (state: StateVersion<StateOrUnknown<Own | Peers, Id>>) => void,
    ): Subscription;
  };
}
