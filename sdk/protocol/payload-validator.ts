import { MAX_PATTERN_INPUT, type PayloadSchema } from './payload-schema.ts';

/**
 * Checks one payload: null when it matches, else a message naming the path, such as
 * `data.date: expected string, got number`.
 */
export type PayloadCheck = (value: unknown) => string | null;

/** Checks a value; returns the failing path below it (`.date`, `[2]`, ``) and why. */
type Check = (value: unknown) => string | null;

const OK: Check = () => null;

/**
 * Compiles a payload schema (checked by `payloadSchemaIssue` first) into a check: every
 * keyword becomes a closure once, so a publish pays only for the keywords its topic's schema
 * has; `root` names the value in messages (`data`, `state`). The broker calls it on parsed JSON whose size, depth and node count it has already
 * bounded; numbers are finite. Messages name the first failing path (`data.items[2].id`).
 */
export function compilePayloadSchema(schema: PayloadSchema, root = 'data'): PayloadCheck {
  const check = compile(schema);
  return (value) => {
    const failure = check(value);
    return failure === null ? null : `${root}${failure}`;
  };
}

function compile(schema: PayloadSchema): Check {
  if (schema === true) return OK;
  if (schema === false) return () => ': not allowed';
  const s = schema as Record<string, unknown>;
  const checks: Check[] = [];
  const fail = (why: (v: unknown) => string | false): void => {
    checks.push((v) => {
      const message = why(v);
      return message === false ? null : `: ${message}`;
    });
  };

  if (s.type !== undefined) {
    const types = ([] as unknown[]).concat(s.type) as string[];
    fail(
      (v) => !types.some((t) => isType(t, v)) && `expected ${types.join(' or ')}, got ${typeOf(v)}`,
    );
  }
  if (s.enum !== undefined) {
    const values = s.enum as unknown[];
    const shown = values.slice(0, 5).map((x) => JSON.stringify(x));
    const list = shown.join(', ') + (values.length > 5 ? ', …' : '');
    fail((v) => !values.includes(v) && `expected one of ${list}`);
  }
  if (s.const !== undefined) {
    fail((v) => v !== s.const && `expected ${JSON.stringify(s.const)}`);
  }
  const bound = (key: string, test: (v: number, b: number) => boolean, words: string): void => {
    const b = s[key];
    if (typeof b === 'number')
      fail((v) => typeof v === 'number' && !test(v, b) && `expected ${words} ${b}`);
  };
  bound('minimum', (v, b) => v >= b, '>=');
  bound('maximum', (v, b) => v <= b, '<=');
  bound('exclusiveMinimum', (v, b) => v > b, '>');
  bound('exclusiveMaximum', (v, b) => v < b, '<');
  const length = (key: string, test: (n: number, b: number) => boolean, words: string) => {
    const b = s[key];
    if (typeof b === 'number') {
      fail(
        (v) =>
          typeof v === 'string' && !test(codePoints(v), b) && `expected ${words} ${b} characters`,
      );
    }
  };
  length('minLength', (n, b) => n >= b, 'at least');
  length('maxLength', (n, b) => n <= b, 'at most');
  if (typeof s.pattern === 'string') {
    const re = new RegExp(s.pattern, 'u');
    const shown = s.pattern.length > 60 ? `${s.pattern.slice(0, 60)}…` : s.pattern;
    fail((v) => {
      if (typeof v !== 'string') return false;
      if (v.length > MAX_PATTERN_INPUT)
        return `longer than ${MAX_PATTERN_INPUT} characters, the limit for a pattern`;
      return !re.test(v) && `does not match ${shown}`;
    });
  }
  arrayChecks(s, checks, fail);
  objectChecks(s, checks);
  for (const key of ['anyOf', 'oneOf'] as const) {
    const options = s[key] as PayloadSchema[] | undefined;
    if (options) checks.push(alternatives(key, options.map(compile)));
  }
  if (checks.length === 1) return checks[0]!;
  return (v) => {
    for (const c of checks) {
      const failure = c(v);
      if (failure !== null) return failure;
    }
    return null;
  };
}

/**
 * `anyOf` / `oneOf`. When nothing matches, the message is the failure of the one alternative
 * of the right type (`anyOf: [{ type: 'string', maxLength: 5 }, { type: 'null' }]` says
 * "expected at most 5 characters"), or the types it expected.
 */
function alternatives(key: 'anyOf' | 'oneOf', compiled: Check[]): Check {
  return (v) => {
    const failures: string[] = [];
    for (const c of compiled) {
      const failure = c(v);
      if (failure !== null) failures.push(failure);
    }
    const matched = compiled.length - failures.length;
    if (matched > 1 && key === 'oneOf') return ': matches more than one of oneOf';
    if (matched > 0) return null;
    const wrongType = /^: expected (.*), got \w+$/;
    const closer = failures.filter((f) => !wrongType.test(f));
    if (closer.length === 1) return closer[0]!;
    if (closer.length === 0) {
      const types = failures.map((f) => wrongType.exec(f)![1]).join(' or ');
      return `: expected ${types}, got ${typeOf(v)}`;
    }
    return `: matches none of ${key}`;
  };
}

function arrayChecks(
  s: Record<string, unknown>,
  checks: Check[],
  fail: (why: (v: unknown) => string | false) => void,
): void {
  if (typeof s.minItems === 'number') {
    const b = s.minItems;
    fail((v) => Array.isArray(v) && v.length < b && `expected at least ${b} items`);
  }
  if (typeof s.maxItems === 'number') {
    const b = s.maxItems;
    fail((v) => Array.isArray(v) && v.length > b && `expected at most ${b} items`);
  }
  const prefix = ((s.prefixItems as PayloadSchema[] | undefined) ?? []).map(compile);
  const items = s.items === undefined ? undefined : compile(s.items as PayloadSchema);
  if (prefix.length === 0 && !items) return;
  checks.push((v) => {
    if (!Array.isArray(v)) return null;
    for (let i = 0; i < v.length; i++) {
      const check = i < prefix.length ? prefix[i] : items;
      const failure = check ? check(v[i]) : null;
      if (failure !== null) return `[${i}]${failure}`;
    }
    return null;
  });
}

function objectChecks(s: Record<string, unknown>, checks: Check[]): void {
  const properties = new Map<string, Check>();
  const declared = (s.properties ?? {}) as Record<string, PayloadSchema>;
  for (const name of Object.keys(declared)) properties.set(name, compile(declared[name]!));
  const required = (s.required ?? []) as string[];
  const extra =
    s.additionalProperties === undefined
      ? undefined
      : compile(s.additionalProperties as PayloadSchema);
  const names =
    s.propertyNames === undefined ? undefined : compile(s.propertyNames as PayloadSchema);
  if (properties.size === 0 && required.length === 0 && !extra && !names) return;
  checks.push((v) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return null;
    const o = v as Record<string, unknown>;
    for (const name of required) if (!Object.hasOwn(o, name)) return `${segment(name)}: required`;
    for (const name of Object.keys(o)) {
      if (names) {
        const failure = names(name);
        if (failure !== null) return `${segment(name)}: name${failure}`;
      }
      const check = properties.get(name) ?? extra;
      const failure = check ? check(o[name]) : null;
      if (failure !== null) return `${segment(name)}${failure}`;
    }
    return null;
  });
}

function isType(type: string, v: unknown): boolean {
  switch (type) {
    case 'null':
      return v === null;
    case 'integer':
      return Number.isInteger(v);
    case 'array':
      return Array.isArray(v);
    case 'object':
      return typeof v === 'object' && v !== null && !Array.isArray(v);
    default:
      return typeof v === type;
  }
}

function typeOf(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}

/** JSON Schema counts characters as code points, not UTF-16 units. */
function codePoints(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) n--;
  }
  return n;
}

/** `.name` for identifier-like names, `["…"]` for the rest. */
function segment(name: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(name) ? `.${name}` : `[${JSON.stringify(name.slice(0, 40))}]`;
}
