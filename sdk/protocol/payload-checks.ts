import { payloadSchemaIssue } from './payload-schema.ts';
import { compilePayloadSchema, type PayloadCheck } from './payload-validator.ts';
import type { PayloadSchema } from './app-schemas.ts';
import type { Manifest } from './manifest.ts';

/** A manifest's compiled payload schemas: by topic, and for its public state. */
export interface PayloadChecks {
  readonly topics: ReadonlyMap<string, PayloadCheck>;
  readonly state: PayloadCheck | undefined;
  /** Why schemas were refused (unsupported keywords, too deep, unsafe patterns). */
  readonly refused: readonly string[];
}

/** Compiled once per registered manifest, however many connections attach under it. */
const compiled = new WeakMap<Manifest, PayloadChecks | undefined>();

/**
 * The checks of a manifest's `schemas` (docs/decisions/0023-payload-schemas.md), or
 * undefined when it has none, so that an app without schemas pays nothing per event. The
 * manifest checked only their shape and size; what they contain is checked here, before
 * anything is compiled, and a schema the broker will not run refuses every payload (fail
 * closed: the author meant it to check something), saying why.
 */
export function payloadChecks(manifest: Manifest): PayloadChecks | undefined {
  if (compiled.has(manifest)) return compiled.get(manifest);
  const { topics = {}, state } = manifest.schemas ?? {};
  const names = Object.keys(topics);
  const refused: string[] = [];
  const compile = (schema: PayloadSchema, where: string, root?: string): PayloadCheck => {
    const issue = payloadSchemaIssue(schema);
    if (!issue) return compilePayloadSchema(schema, root);
    const why = `schema ${[where, ...issue.path].join('.')} refused: ${issue.message}`;
    refused.push(why);
    return () => why;
  };
  const checks =
    names.length === 0 && state === undefined
      ? undefined
      : {
          topics: new Map(names.map((t) => [t, compile(topics[t]!, `schemas.topics.${t}`)])),
          state: state === undefined ? undefined : compile(state, 'schemas.state', 'state'),
          refused,
        };
  compiled.set(manifest, checks);
  return checks;
}
