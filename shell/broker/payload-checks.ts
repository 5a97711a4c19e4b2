import { compilePayloadSchema, type PayloadCheck } from '../../sdk/protocol/payload-validator.ts';
import type { Manifest } from '../../sdk/protocol/index.ts';

/** A manifest's compiled payload schemas: by topic, and for its public state. */
export interface PayloadChecks {
  readonly topics: ReadonlyMap<string, PayloadCheck>;
  readonly state: PayloadCheck | undefined;
}

/** Compiled once per registered manifest, however many connections attach under it. */
const compiled = new WeakMap<Manifest, PayloadChecks | undefined>();

/**
 * The checks of a manifest's `schemas` (docs/decisions/0023-payload-schemas.md), or
 * undefined when it has none, so that an app without schemas pays nothing per event.
 */
export function payloadChecks(manifest: Manifest): PayloadChecks | undefined {
  if (compiled.has(manifest)) return compiled.get(manifest);
  const { topics = {}, state } = manifest.schemas ?? {};
  const names = Object.keys(topics);
  const checks =
    names.length === 0 && state === undefined
      ? undefined
      : {
          topics: new Map(names.map((topic) => [topic, compilePayloadSchema(topics[topic]!)])),
          state: state === undefined ? undefined : compilePayloadSchema(state, 'state'),
        };
  compiled.set(manifest, checks);
  return checks;
}
