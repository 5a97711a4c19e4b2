import { MAX_SCHEMA_CHARS, type PayloadSchema, type SchemaIssue } from './app-schemas.ts';

export type { PayloadSchema, SchemaIssue };

/**
 * Payload schemas: the subset of JSON Schema (2020-12) a manifest may attach to its topics
 * and its public state, and the bounds that keep checking them cheap for the broker
 * (docs/decisions/0023-payload-schemas.md). Authors generate them from zod with
 * `z.toJSONSchema`; the broker checks each with {@link payloadSchemaIssue} and compiles it
 * once (payload-validator.ts). The manifest itself checks only shape and size
 * (app-schemas.ts): this stays out of the host page's start-up bundle.
 */

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

/**
 * Each supported keyword and what its value must be: a (s)chema, a (l)ist or a (m)ap of
 * schemas, a (t)ype, (r)equired names, an (e)num, a (k)onst, a (n)umber, a (c)ount, a
 * (p)attern; (a)nnotations describe but never constrain, so any JSON goes.
 */
const KEYWORDS = new Map(
  (
    'type:t properties:m required:r additionalProperties:s propertyNames:s items:s ' +
    'prefixItems:l anyOf:l oneOf:l enum:e const:k minimum:n maximum:n exclusiveMinimum:n ' +
    'exclusiveMaximum:n minLength:c maxLength:c minItems:c maxItems:c pattern:p $schema:a ' +
    '$comment:a title:a description:a default:a examples:a format:a deprecated:a readOnly:a ' +
    'writeOnly:a'
  )
    .split(' ')
    .map((entry) => entry.split(':') as [string, string]),
);

type Where = SchemaIssue['path'];
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isScalar = (v: unknown) =>
  v === null || ['string', 'boolean'].includes(typeof v) || Number.isFinite(v);

/** Thrown inside the walk: the first issue ends it. */
function fail(path: Where, message: string): never {
  throw { path, message } satisfies SchemaIssue;
}
const caught = (walk: () => void): SchemaIssue | null => {
  try {
    walk();
    return null;
  } catch (issue) {
    return issue as SchemaIssue;
  }
};

/**
 * Why `value` is not a payload schema the broker takes, or null when it is: JSON, at most
 * {@link MAX_SCHEMA_CHARS} and {@link MAX_SCHEMA_DEPTH}, only the keywords of
 * {@link KEYWORDS} (annotations are kept, unchecked), and patterns whose backtracking is
 * bounded ({@link patternIssue}).
 */
export function payloadSchemaIssue(value: unknown): SchemaIssue | null {
  return caught(() => schema(value, []));
}

function schema(value: unknown, at: Where): void {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    // Cycles, BigInt, or nesting deep enough to overflow the stack.
  }
  if (text === undefined) fail(at, 'must be JSON');
  if (text!.length > MAX_SCHEMA_CHARS) {
    fail(at, `must be at most ${MAX_SCHEMA_CHARS} characters as JSON`);
  }
  // Walked as parsed from its JSON text: what the Worker gets, no getters, no prototypes.
  walk(JSON.parse(text!), at, 0);
}

function walk(s: unknown, at: Where, depth: number): void {
  if (typeof s === 'boolean') return;
  if (!isObject(s)) fail(at, 'must be a schema (an object or a boolean)');
  if (depth >= MAX_SCHEMA_DEPTH) fail(at, `nested deeper than ${MAX_SCHEMA_DEPTH}`);
  for (const key of Object.keys(s)) {
    const v = (s as Record<string, unknown>)[key];
    const here = [...at, key];
    const kind = KEYWORDS.get(key) ?? fail(here, `unsupported keyword "${key}"`);
    const list = Array.isArray(v) ? (v as unknown[]) : [];
    const ok =
      kind === 'a' ||
      kind === 's' ||
      (kind === 'l' && list.length > 0 && list.length <= 16) ||
      (kind === 'm' && isObject(v)) ||
      (kind === 't' &&
        (Array.isArray(v) ? list : [v]).length > 0 &&
        (Array.isArray(v) ? list : [v]).every((t) => TYPES.includes(t as string))) ||
      (kind === 'r' && Array.isArray(v) && list.every((n) => typeof n === 'string')) ||
      (kind === 'e' && list.length > 0 && list.length <= 256 && list.every(isScalar)) ||
      (kind === 'k' && isScalar(v)) ||
      (kind === 'n' && typeof v === 'number') ||
      (kind === 'c' && Number.isSafeInteger(v) && (v as number) >= 0) ||
      kind === 'p';
    if (!ok) fail(here, `not a valid value for ${key}`);
    if (kind === 's') walk(v, here, depth + 1);
    if (kind === 'l') list.forEach((item, i) => walk(item, [...here, i], depth + 1));
    if (kind === 'm')
      for (const name of Object.keys(v as object))
        walk((v as Record<string, unknown>)[name], [...here, name], depth + 1);
    if (kind === 'p') {
      const why = typeof v === 'string' ? patternIssue(v) : 'must be a string';
      if (why) fail(here, why);
    }
  }
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
