/**
 * Pieces for writing a zod schema out by hand where the page must validate synchronously
 * without carrying zod at start-up (docs/decisions/0012-performance.md): each check gives
 * zod's verdict and its English message, and a guard stops at the first issue, which is the
 * issue the shell reports (`issues[0]`). Every guard built from these is pinned to its schema
 * by a test that runs both over a table of good and hostile input.
 */

export type Path = (string | number | symbol)[];
/** The first issue, as zod reports it. */
export interface GuardIssue {
  path: Path;
  message: string;
}
export type GuardResult<T> = { ok: true; value: T } | { ok: false; issue: GuardIssue };

/** Thrown inside a guard to stop at the first issue (the schema's issues[0]). */
export class Issue {
  constructor(
    readonly path: Path,
    readonly message: string,
  ) {}
}

/** zod's name for what it received (util.parsedType, with its English locale's wording). */
export function received(value: unknown): string {
  if (typeof value === 'number') return Number.isFinite(value) ? 'number' : String(value);
  if (typeof value !== 'object') return typeof value;
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  const proto = Object.getPrototypeOf(value) as unknown;
  const ctor = (value as { constructor?: { name?: unknown } }).constructor;
  if (proto !== Object.prototype && 'constructor' in value && ctor) return String(ctor.name);
  return 'object';
}

export const invalidType = (path: Path, expected: string, value: unknown) =>
  new Issue(path, `Invalid input: expected ${expected}, received ${received(value)}`);

export function string(path: Path, value: unknown): string {
  if (typeof value !== 'string') throw invalidType(path, 'string', value);
  return value;
}

export function number(path: Path, value: unknown): number {
  // z.number() refuses NaN and ±Infinity as a wrong type.
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw invalidType(path, 'number', value);
  }
  return value;
}

export function maxLength(path: Path, value: string | unknown[], max: number): void {
  if (value.length > max) {
    const [origin, unit] =
      typeof value === 'string' ? ['string', 'characters'] : ['array', 'items'];
    throw new Issue(path, `Too big: expected ${origin} to have <=${max} ${unit}`);
  }
}

/** `z.number().check(z.int(), z.minimum(min), z.maximum(max))`, checked in that order. */
export function intIn(path: Path, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw invalidType(path, 'number', value);
  }
  if (!Number.isInteger(value))
    throw new Issue(path, 'Invalid input: expected int, received number');
  if (!Number.isSafeInteger(value)) {
    const [adj, bound] =
      value > 0 ? ['big', '<=9007199254740991'] : ['small', '>=-9007199254740991'];
    throw new Issue(path, `Too ${adj}: expected int to be ${bound}`);
  }
  if (value < min) throw new Issue(path, `Too small: expected number to be >=${min}`);
  if (value > max) throw new Issue(path, `Too big: expected number to be <=${max}`);
  return value;
}

/** A plain-enough object as zod's objects take it: not null, not an array. */
export function object(path: Path, value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidType(path, 'object', value);
  }
  return value as Record<string, unknown>;
}

/** Strict objects: every enumerable key (`for…in`, inherited ones too) must be declared. */
export function noOtherKeys(
  path: Path,
  value: Record<string, unknown>,
  keys: readonly string[],
): void {
  const unknown: string[] = [];
  for (const key in value) if (!keys.includes(key)) unknown.push(key);
  if (unknown.length > 0) {
    const list = unknown.map((k) => `"${k}"`).join(', ');
    throw new Issue(path, `Unrecognized key${unknown.length > 1 ? 's' : ''}: ${list}`);
  }
}

/** Checks an array's elements, then its length (zod reports element issues first). */
export function arrayOf<T>(
  path: Path,
  value: unknown,
  max: number,
  item: (path: Path, value: unknown) => T,
): T[] {
  if (!Array.isArray(value)) throw invalidType(path, 'array', value);
  const list: unknown[] = value;
  const out = list.map((x, i) => item([...path, i], x));
  maxLength(path, list, max);
  return out;
}

export function oneOf<T extends string>(path: Path, value: unknown, options: readonly T[]): T {
  if (!options.includes(value as T)) {
    throw new Issue(
      path,
      `Invalid option: expected one of ${options.map((o) => `"${o}"`).join('|')}`,
    );
  }
  return value as T;
}

/** Runs a guard body: its value, or the first issue it threw. */
export function guard<T>(body: (value: unknown) => T, value: unknown): GuardResult<T> {
  try {
    return { ok: true, value: body(value) };
  } catch (error) {
    if (error instanceof Issue) {
      return { ok: false, issue: { path: error.path, message: error.message } };
    }
    throw error;
  }
}

/** zod's `util.isPlainObject`, which `z.record` requires of its input. */
export function isPlainObject(value: unknown): value is Record<PropertyKey, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const ctor = (value as { constructor?: unknown }).constructor;
  if (ctor === undefined || typeof ctor !== 'function') return true;
  const proto = (ctor as { prototype?: unknown }).prototype;
  if (typeof proto !== 'object' || proto === null || Array.isArray(proto)) return false;
  return Object.prototype.hasOwnProperty.call(proto, 'isPrototypeOf');
}
