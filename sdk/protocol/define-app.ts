import { toJSONSchema } from 'zod/mini';
import type * as core from 'zod/v4/core';

import type { App, AppSchemas, PayloadSchema } from './app-schemas.ts';
import { McError } from './errors.ts';
import { payloadSchemaIssue } from './payload-schema.ts';
import type { Topic } from './topics.ts';

/** An app declared with zod schemas: {@link defineApp}'s result. */
export interface AppDefinition<
  Id extends string = string,
  Topics extends Record<Topic, core.$ZodType> = Record<Topic, core.$ZodType>,
  State extends core.$ZodType | undefined = core.$ZodType | undefined,
> {
  readonly id: Id;
  readonly topics: Topics;
  readonly state: State;
  /** The manifest's `schemas`, generated with `z.toJSONSchema`: put them in its manifest. */
  readonly schemas: AppSchemas;
}

/**
 * The {@link App} type of a definition, for `connect<AppOf<typeof calendar>>()`: each
 * topic's payload is its schema's output type, the state likewise (unknown without one).
 */
export type AppOf<D extends AppDefinition> =
  D extends AppDefinition<infer Id, infer Topics, infer State>
    ? App<
        Id,
        { [T in keyof Topics]: core.output<Topics[T]> },
        State extends core.$ZodType ? core.output<State> : unknown
      >
    : never;

/**
 * Declares an app's topics and public state once, with zod schemas (docs/typed-topics.md).
 * Call it where manifests are made (a build step, the host's catalog), not in the widget:
 * the widget imports only its type (`import type`), so zod stays out of its bundle.
 *
 * @throws McError `INVALID_ARGUMENT` when a schema becomes JSON Schema the broker would not
 *   run (a quantified group in a pattern, as `z.email()` has; a recursive schema).
 */
export function defineApp<
  const Id extends string,
  const Topics extends Record<Topic, core.$ZodType>,
  State extends core.$ZodType | undefined = undefined,
>(definition: { id: Id; topics: Topics; state?: State }): AppDefinition<Id, Topics, State> {
  const json = (schema: core.$ZodType, where: string): PayloadSchema => {
    const out = toJSONSchema(schema) as Record<string, unknown>;
    const issue = payloadSchemaIssue(out);
    if (issue) {
      const at = [where, ...issue.path].join('.');
      throw new McError('INVALID_ARGUMENT', `${at}: ${issue.message}`);
    }
    return out;
  };
  const topics: Record<string, PayloadSchema> = {};
  for (const topic of Object.keys(definition.topics) as Topic[]) {
    topics[topic] = json(definition.topics[topic]!, `topics.${topic}`);
  }
  const { state } = definition;
  return {
    id: definition.id,
    topics: definition.topics,
    state: state as State,
    schemas: state === undefined ? { topics } : { topics, state: json(state, 'state') },
  };
}
