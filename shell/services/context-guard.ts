import type * as z from 'zod/mini';

import { TOKEN_NAME_RE, type HostContextPatchSchema } from '../../sdk/protocol/index.ts';
import {
  guard,
  invalidType,
  isPlainObject,
  Issue,
  maxLength,
  noOtherKeys,
  object,
  oneOf,
  string,
  type GuardResult,
  type Path,
} from '../shared/schema-guard.ts';

/**
 * `HostContextPatchSchema` (sdk/protocol/context.ts) written out by hand: `Host` checks its
 * options and `setContext` synchronously, and the page's start-up bundle carries no zod
 * (docs/decisions/0012-performance.md). test/unit/context-guard.test.ts pins it to the
 * schema over a table of good and hostile patches; a change to the schema must be mirrored.
 */

/** What the schema outputs (a type only: no zod is loaded for it). */
export type ContextPatch = z.output<typeof HostContextPatchSchema>;

function bounded(path: Path, value: unknown, min: number, max: number): string {
  const s = string(path, value);
  if (s.length < min)
    throw new Issue(path, `Too small: expected string to have >=${min} characters`);
  maxLength(path, s, max);
  return s;
}

function user(path: Path, value: unknown): { id: string; name: string } | null {
  if (value === null) return null;
  const input = object(path, value);
  const out = {
    id: bounded([...path, 'id'], input.id, 1, 128),
    name: bounded([...path, 'name'], input.name, 1, 128),
  };
  noOtherKeys(path, input, ['id', 'name']);
  return out;
}

function tokens(path: Path, value: unknown): Record<string, string> {
  if (!isPlainObject(value)) throw invalidType(path, 'record', value);
  const out: Record<string, string> = {};
  for (const key of Reflect.ownKeys(value)) {
    if (key === '__proto__' || !Object.prototype.propertyIsEnumerable.call(value, key)) continue;
    if (typeof key !== 'string' || !TOKEN_NAME_RE.test(key)) {
      throw new Issue([...path, key], 'Invalid key in record');
    }
    const at = [...path, key];
    const v = string(at, value[key]);
    maxLength(at, v, 200);
    if (!/^[^;{}<>\\]*$/.test(v)) throw new Issue(at, 'must be a plain CSS value');
    out[key] = v;
  }
  if (Object.keys(out).length > 64) throw new Issue(path, 'at most 64 tokens');
  return out;
}

function patch(value: unknown): ContextPatch {
  const input = object([], value);
  const out: ContextPatch = {};
  const { theme, locale } = input;
  if (theme !== undefined) out.theme = oneOf(['theme'], theme, ['light', 'dark'] as const);
  else if ('theme' in input) out.theme = undefined;
  if (locale !== undefined) {
    const s = bounded(['locale'], locale, 2, 35);
    if (!/^[A-Za-z0-9-]+$/.test(s)) {
      throw new Issue(
        ['locale'],
        `Invalid string: must match pattern ${String(/^[A-Za-z0-9-]+$/)}`,
      );
    }
    out.locale = s;
  } else if ('locale' in input) out.locale = undefined;
  const u = input.user;
  if (u !== undefined) out.user = user(['user'], u);
  else if ('user' in input) out.user = undefined;
  const t = input.tokens;
  if (t !== undefined) out.tokens = tokens(['tokens'], t);
  else if ('tokens' in input) out.tokens = undefined;
  noOtherKeys([], input, ['theme', 'locale', 'user', 'tokens']);
  return out;
}

/** Validates a context patch as `HostContextPatchSchema.safeParse` does, without zod. */
export function checkContextPatch(value: unknown): GuardResult<ContextPatch> {
  return guard(patch, value);
}
