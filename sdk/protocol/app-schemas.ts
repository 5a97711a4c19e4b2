import { isTopic } from './topics.ts';

/**
 * A manifest's payload schemas as far as the manifest checks them (the zod schema and the
 * host page's guard alike): shape and size. What each schema may contain (keywords, depth,
 * safe patterns) is checked by the broker, which runs them (payload-schema.ts,
 * docs/decisions/0023-payload-schemas.md), so that the host's start-up bundle stays
 * without it.
 */

/**
 * What an app declares about itself, as types: its id (the first segment of its topics),
 * the payload type of each topic it publishes, and its public state's type. The SDK's
 * `connect<Own, Peers>()` types a client by it (docs/typed-topics.md); `defineApp` derives
 * it from zod schemas (`AppOf`).
 *
 * ```ts
 * type Calendar = App<'calendar', { 'calendar.date.selected': { date: string } }, { selected: string | null }>;
 * ```
 */
export interface App<Id extends string = string, Topics extends object = object, State = unknown> {
  id: Id;
  topics: Topics;
  state: State;
}

/** A JSON Schema of the supported subset: `true`, `false` or an object of keywords. */
export type PayloadSchema = boolean | { readonly [keyword: string]: unknown };

/**
 * A manifest's `schemas`: the payload schema of each topic it publishes (concrete topics,
 * each within `publishes`) and of its public state. Events and states without one are not
 * checked beyond the usual bounds.
 */
export interface AppSchemas {
  topics?: Readonly<Record<string, PayloadSchema>>;
  state?: PayloadSchema;
}

/** Largest schema, as JSON text (UTF-16 code units). */
export const MAX_SCHEMA_CHARS = 8192;
/** Most topics one manifest can give schemas for (as many as `publishes` patterns). */
export const MAX_SCHEMA_TOPICS = 64;

/** What is wrong with a schema: where (below the value checked) and why. */
export interface SchemaIssue {
  path: (string | number)[];
  message: string;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Why `value` is not a manifest's {@link AppSchemas}, or null: an object of `topics` (at
 * most {@link MAX_SCHEMA_TOPICS}, each a topic) and `state`, each schema a boolean or an
 * object of at most {@link MAX_SCHEMA_CHARS} as JSON. The one check of the field for the
 * zod schema and the host's guard; the manifest checks that each topic lies in `publishes`.
 */
export function appSchemasIssue(value: unknown): SchemaIssue | null {
  if (!isObject(value)) return { path: [], message: 'must be an object { topics, state }' };
  for (const key of Object.keys(value)) {
    const v = value[key];
    if (v === undefined) continue;
    if (key === 'state') {
      const why = schemaShape(v);
      if (why) return { path: ['state'], message: why };
    } else if (key !== 'topics') {
      return { path: [key], message: 'unknown field: only topics and state' };
    } else if (!isObject(v) || Object.keys(v).length > MAX_SCHEMA_TOPICS) {
      return {
        path: ['topics'],
        message: `must map at most ${MAX_SCHEMA_TOPICS} topics to schemas`,
      };
    } else {
      for (const topic of Object.keys(v)) {
        const why = isTopic(topic) ? schemaShape(v[topic]) : 'must be a topic (a.b.c)';
        if (why) return { path: ['topics', topic], message: why };
      }
    }
  }
  return null;
}

function schemaShape(schema: unknown): string | null {
  if (typeof schema === 'boolean') return null;
  if (!isObject(schema)) return 'must be a schema (an object or a boolean)';
  let text: string | undefined;
  try {
    text = JSON.stringify(schema);
  } catch {
    // Cycles, BigInt, or nesting deep enough to overflow the stack.
  }
  if (text === undefined) return 'must be JSON';
  return text.length > MAX_SCHEMA_CHARS
    ? `must be at most ${MAX_SCHEMA_CHARS} characters as JSON`
    : null;
}
