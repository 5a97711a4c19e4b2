import { isTopic } from './topics.ts';

/**
 * Payload schemas: the subset of JSON Schema (2020-12) a manifest may attach to its topics
 * and its public state, and the bounds that keep checking them cheap for the broker
 * (docs/decisions/0021-payload-schemas.md). Authors generate them from zod with
 * `z.toJSONSchema` (sdk/define-app.ts); the broker compiles each once
 * (payload-validator.ts). Plain TypeScript without zod: the manifest schema and the host's
 * hand-written manifest guard both call {@link payloadSchemaIssue}, so they agree.
 */

/** A JSON Schema of the supported subset: `true`, `false` or an object of keywords. */
export type PayloadSchema = boolean | { readonly [keyword: string]: unknown };

/** Largest schema, as JSON text (UTF-16 code units). */
export const MAX_SCHEMA_CHARS = 8192;
/** Deepest nesting of subschemas (`properties.a.items.properties.b` is 3). */
export const MAX_SCHEMA_DEPTH = 16;
/** Longest `pattern`, in characters. */
export const MAX_PATTERN_CHARS = 256;
/**
 * Longest string checked against a `pattern`; a longer one does not match. With
 * {@link MAX_PATTERN_COST} it bounds the backtracking of any accepted pattern.
 */
export const MAX_PATTERN_INPUT = 256;
/**
 * Most backtracking a `pattern` may allow: the product of its quantifiers' ranges (`*` and
 * `+` count as {@link MAX_PATTERN_INPUT}), times that length again when it is not anchored
 * with `^`. `^[a-z0-9-]+$` costs 256, `\d{4}-\d{2}-\d{2}` 256 (unanchored),
 * `^[a-z]+-[a-z]+$` 65,536; `[a-z]+-[a-z]+` (unanchored, ~16.8 million) is refused.
 */
export const MAX_PATTERN_COST = 65_536;

/** The types `type` may name. */
const TYPES = ['string', 'number', 'integer', 'boolean', 'null', 'object', 'array'];
/** Keywords that describe but do not constrain: kept, never checked. */
const ANNOTATIONS = [
  '$schema',
  '$comment',
  'title',
  'description',
  'default',
  'examples',
  'format',
  'deprecated',
  'readOnly',
  'writeOnly',
];

type Where = (string | number)[];
/** What is wrong with a schema: where (below the schema) and why. */
export interface SchemaIssue {
  path: Where;
  message: string;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0;
const isScalar = (v: unknown) =>
  v === null ||
  typeof v === 'string' ||
  typeof v === 'boolean' ||
  (typeof v === 'number' && Number.isFinite(v));

/**
 * A manifest's `schemas`: the payload schema of each topic it publishes (concrete topics,
 * each within `publishes`) and of its public state. Events and states without one are not
 * checked beyond the usual bounds.
 */
export interface AppSchemas {
  topics?: Readonly<Record<string, PayloadSchema>>;
  state?: PayloadSchema;
}

/** Most topics one manifest can give schemas for (as many as `publishes` patterns). */
export const MAX_SCHEMA_TOPICS = 64;

/**
 * Why `value` is not a manifest's {@link AppSchemas}, or null: the one check of the field
 * for the zod schema and the host's guard alike. It does not know `publishes`; the manifest
 * checks that each topic lies inside it.
 */
export function appSchemasIssue(value: unknown): SchemaIssue | null {
  if (!isObject(value)) return { path: [], message: 'must be an object { topics, state }' };
  for (const key of Object.keys(value)) {
    const v = value[key];
    if (key === 'state') {
      const issue = v === undefined ? null : payloadSchemaIssue(v);
      if (issue) return { path: ['state', ...issue.path], message: issue.message };
    } else if (key === 'topics') {
      if (v === undefined) continue;
      if (!isObject(v))
        return { path: ['topics'], message: 'must be an object of schemas by topic' };
      const topics = Object.keys(v);
      if (topics.length > MAX_SCHEMA_TOPICS) {
        return { path: ['topics'], message: `must have at most ${MAX_SCHEMA_TOPICS} topics` };
      }
      for (const topic of topics) {
        if (!isTopic(topic)) return { path: ['topics', topic], message: 'must be a topic (a.b.c)' };
        const issue = payloadSchemaIssue(v[topic]);
        if (issue) return { path: ['topics', topic, ...issue.path], message: issue.message };
      }
    } else {
      return { path: [key], message: 'unknown field: only topics and state' };
    }
  }
  return null;
}

/**
 * Why `value` is not a payload schema the broker takes, or null when it is: JSON, at most
 * {@link MAX_SCHEMA_CHARS} and {@link MAX_SCHEMA_DEPTH}, only the supported keywords
 * (`type`, `properties`, `required`, `additionalProperties`, `propertyNames`, `items`,
 * `prefixItems`, `minItems`, `maxItems`, `enum`, `const`, `minimum`, `maximum`,
 * `exclusiveMinimum`, `exclusiveMaximum`, `minLength`, `maxLength`, `pattern`, `anyOf`,
 * `oneOf`, plus annotations), and patterns whose backtracking is bounded
 * ({@link patternIssue}).
 */
export function payloadSchemaIssue(value: unknown): SchemaIssue | null {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    // Cycles, BigInt, or nesting deep enough to overflow the stack.
  }
  if (text === undefined) return { path: [], message: 'must be JSON' };
  if (text.length > MAX_SCHEMA_CHARS) {
    return { path: [], message: `must be at most ${MAX_SCHEMA_CHARS} characters as JSON` };
  }
  // Checked as parsed from its JSON text: what the Worker gets, and no getters or prototypes.
  return schemaIssue(JSON.parse(text), [], 0);
}

function schemaIssue(s: unknown, at: Where, depth: number): SchemaIssue | null {
  if (typeof s === 'boolean') return null;
  if (!isObject(s)) return { path: at, message: 'must be a schema (an object or a boolean)' };
  if (depth >= MAX_SCHEMA_DEPTH)
    return { path: at, message: `nested deeper than ${MAX_SCHEMA_DEPTH}` };
  const sub = (v: unknown, ...rest: Where) => schemaIssue(v, [...at, ...rest], depth + 1);
  const list = (v: unknown, key: string): SchemaIssue | null => {
    if (!Array.isArray(v) || v.length === 0 || v.length > 16) {
      return { path: [...at, key], message: 'must be a list of 1 to 16 schemas' };
    }
    for (let i = 0; i < v.length; i++) {
      const issue = sub(v[i], key, i);
      if (issue) return issue;
    }
    return null;
  };
  for (const key of Object.keys(s)) {
    const v = s[key];
    const bad = (message: string): SchemaIssue => ({ path: [...at, key], message });
    let issue: SchemaIssue | null = null;
    switch (key) {
      case 'type': {
        const types = Array.isArray(v) ? v : [v];
        if (types.length === 0 || !types.every((t) => TYPES.includes(t as string))) {
          issue = bad(`must be one of ${TYPES.join(', ')}, or a list of them`);
        }
        break;
      }
      case 'properties':
        if (!isObject(v)) issue = bad('must be an object of schemas');
        else for (const name of Object.keys(v)) if ((issue = sub(v[name], key, name))) break;
        break;
      case 'required':
        if (!Array.isArray(v) || !v.every((n) => typeof n === 'string')) {
          issue = bad('must be a list of property names');
        }
        break;
      case 'additionalProperties':
      case 'propertyNames':
      case 'items':
        issue = sub(v, key);
        break;
      case 'prefixItems':
      case 'anyOf':
      case 'oneOf':
        issue = list(v, key);
        break;
      case 'enum':
        if (!Array.isArray(v) || v.length === 0 || v.length > 256 || !v.every(isScalar)) {
          issue = bad('must be a list of 1 to 256 strings, numbers, booleans or null');
        }
        break;
      case 'const':
        if (!isScalar(v)) issue = bad('must be a string, a number, a boolean or null');
        break;
      case 'minimum':
      case 'maximum':
      case 'exclusiveMinimum':
      case 'exclusiveMaximum':
        if (typeof v !== 'number') issue = bad('must be a number');
        break;
      case 'minLength':
      case 'maxLength':
      case 'minItems':
      case 'maxItems':
        if (!isCount(v)) issue = bad('must be a whole number ≥ 0');
        break;
      case 'pattern': {
        const why = typeof v === 'string' ? patternIssue(v) : 'must be a string';
        if (why) issue = bad(why);
        break;
      }
      default:
        if (!ANNOTATIONS.includes(key)) issue = bad(`unsupported keyword "${key}"`);
    }
    if (issue) return issue;
  }
  return null;
}

/**
 * Why the broker will not run `source` as a `pattern`, or null. Backtracking regular
 * expressions can take exponential time on a crafted string (ReDoS), and the broker serves
 * every app from one thread, so only patterns with bounded backtracking are taken: no
 * backreferences or lookarounds, no quantifier on a group but `?`, and a cost estimate of at
 * most {@link MAX_PATTERN_COST} (the product of the quantifiers' ranges, times the input
 * length when not anchored). The broker compiles it with the `u` flag.
 */
export function patternIssue(source: string): string | null {
  if (source.length > MAX_PATTERN_CHARS) return `longer than ${MAX_PATTERN_CHARS} characters`;
  try {
    new RegExp(source, 'u');
  } catch {
    return 'not a valid regular expression';
  }
  let cost = 1;
  let depth = 0;
  let anchored = source[0] === '^';
  let afterGroup = false;
  // The `u` flag made the syntax strict above, so a plain scan can find every quantifier.
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    let range = 0;
    if (c === '\\') {
      const next = source[++i]!;
      if (/[1-9k]/.test(next)) return 'backreferences are not supported';
      if ('pPu'.includes(next) && source[i + 1] === '{') i = source.indexOf('}', i);
    } else if (c === '[') {
      // A class ends at its first unescaped `]`.
      while (source[++i] !== ']') if (source[i] === '\\') i++;
    } else if (c === '(') {
      if (source[i + 1] === '?') {
        if (source[i + 2] !== ':') return 'only (…) and (?:…) groups are supported';
        i += 2;
      }
      depth++;
    } else if (c === ')') {
      depth--;
      afterGroup = true;
      continue;
    } else if (c === '|' && depth === 0) {
      anchored = false;
    } else if (c === '*' || c === '+') {
      range = MAX_PATTERN_INPUT;
    } else if (c === '?') {
      range = 2;
    } else if (c === '{') {
      const [all, min, comma, max] = /^\{(\d+)(,?)(\d*)\}/.exec(source.slice(i))!;
      i += all.length - 1;
      range = !comma ? 1 : max ? Number(max) - Number(min) + 1 : MAX_PATTERN_INPUT;
    }
    if (range) {
      if (afterGroup && range !== 2) {
        return 'a quantified group can take exponential time (ReDoS): quantify characters or classes';
      }
      if (source[i + 1] === '?') i++;
      cost *= range;
      if (cost > MAX_PATTERN_COST) break;
    }
    afterGroup = false;
  }
  if (!anchored) cost *= MAX_PATTERN_INPUT;
  return cost > MAX_PATTERN_COST
    ? `allows too much backtracking (ReDoS); anchor it with ^, bound its quantifiers`
    : null;
}
