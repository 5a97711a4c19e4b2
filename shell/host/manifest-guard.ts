import {
  arrayOf,
  guard,
  intIn,
  invalidType,
  Issue,
  maxLength,
  noOtherKeys,
  number,
  object,
  oneOf,
  string,
  type GuardResult,
  type Path,
} from '../shared/schema-guard.ts';
import { appSchemasIssue } from '../../sdk/protocol/app-schemas.ts';
import {
  APP_ID_RE,
  HOST_APP_ID,
  matchTopic,
  isShortcut,
  MAX_STORAGE_QUOTA_BYTES,
  PATTERN_RE,
  patternCovers,
  MAX_SCOPES,
  PERMISSIONS,
  SCOPE_RE,
  SERVICE_NAMES,
  type Manifest,
} from '../../sdk/protocol/index.ts';

/**
 * `ManifestSchema` (sdk/protocol/manifest.ts) written out by hand, so that `Host.register`
 * stays synchronous without zod in the page's start-up bundle (zod is ~10 KiB of it;
 * docs/decisions/0012-performance.md). It gives what the schema gives: the manifest with
 * defaults filled in, or the schema's first issue, path and English message alike.
 * test/unit/manifest-guard.test.ts runs both over a table of good and hostile manifests and
 * fails on any difference; a change to the schema must be mirrored here.
 */

function pattern(path: Path, value: unknown): string {
  const s = string(path, value);
  maxLength(path, s, 200);
  if (!PATTERN_RE.test(s)) throw new Issue(path, 'must be a topic pattern (a.b.c)');
  return s;
}

/** The schema's loopback hosts (`localhost`, `[::1]`, `127.0.0.1`) and the rest of 127/8. */
const LOOPBACK = /^(?:localhost|\[::1\]|127\.\d+\.\d+\.\d+)$/;

/**
 * The schema's `isAllowedAppUrl`: https anywhere, http on loopback, no fragment. It takes the
 * URL `appUrl` parsed already: the schema parses the kept text, which the URL parser reads
 * alike (it ignores tabs and line breaks itself).
 */
function isAllowedAppUrl(url: URL, text: string): boolean {
  if (url.hash !== '' || text.includes('#')) return false;
  if (url.protocol === 'https:') return true;
  return url.protocol === 'http:' && LOOPBACK.test(url.hostname);
}

/**
 * `z.url({ protocol: /^https?$/ })`, then the schema's length and `isAllowedAppUrl` checks.
 * Like zod: trimmed, `http(s)://` required before parsing, and the value kept is the trimmed
 * text without tabs and line breaks (what the URL parser itself ignores).
 */
function appUrl(path: Path, value: unknown): string {
  const trimmed = string(path, value).trim();
  let url: URL | null = null;
  if (/^https?:\/\//i.test(trimmed)) {
    try {
      url = new URL(trimmed);
    } catch {
      url = null;
    }
  }
  if (!url || !/^https?$/.test(url.protocol.slice(0, -1))) throw new Issue(path, 'Invalid URL');
  const kept = trimmed.replace(/[\t\n\r]/g, '');
  maxLength(path, kept, 2048);
  if (!isAllowedAppUrl(url, kept)) {
    throw new Issue(path, 'must be https (http only on loopback) and have no fragment');
  }
  return kept;
}

const LIMIT_RANGES = {
  maxMessageBytes: [256, 4 * 1024 * 1024],
  maxDepth: [1, 256],
  maxNodes: [1, 1_000_000],
  eventsPerSecond: [0, 100_000],
  burst: [1, 1_000_000],
  bytesPerSecond: [1024, 256 * 1024 * 1024],
  maxSubscriptions: [1, 10_000],
} as const;
/** In the schema's order, which decides which issue comes first. */
const LIMIT_KEYS = Object.keys(LIMIT_RANGES) as (keyof typeof LIMIT_RANGES)[];

function limits(path: Path, value: unknown): Manifest['limits'] {
  const input = object(path, value);
  const out: Record<string, number> = {};
  for (const key of LIMIT_KEYS) {
    const v = input[key];
    if (v === undefined) {
      if (key in input) out[key] = v as never;
      continue;
    }
    const at = [...path, key];
    if (key === 'eventsPerSecond') {
      const n = number(at, v);
      if (n <= 0) throw new Issue(at, 'Too small: expected number to be >0');
      if (n > 100_000) throw new Issue(at, 'Too big: expected number to be <=100000');
      out[key] = n;
    } else {
      const [min, max] = LIMIT_RANGES[key];
      out[key] = intIn(at, v, min, max);
    }
  }
  noOtherKeys(path, input, LIMIT_KEYS);
  return out;
}

const AXIS_KEYS = ['mode', 'min', 'max'] as const;
type Axis = Manifest['size']['width'];

function axis(path: Path, value: unknown): Axis {
  if (value === undefined) return { mode: 'fixed', min: 0 };
  const input = object(path, value);
  const mode =
    input.mode === undefined ? 'fixed' : oneOf([...path, 'mode'], input.mode, ['fixed', 'content']);
  const min = input.min === undefined ? 0 : intIn([...path, 'min'], input.min, 0, 10_000);
  const out: Axis = { mode, min };
  if (input.max !== undefined) out.max = intIn([...path, 'max'], input.max, 1, 10_000);
  else if ('max' in input) out.max = undefined;
  noOtherKeys(path, input, AXIS_KEYS);
  return out;
}

function size(path: Path, value: unknown): Manifest['size'] {
  const input = object(path, value);
  const out = {
    width: axis([...path, 'width'], input.width),
    height: axis([...path, 'height'], input.height),
  };
  noOtherKeys(path, input, ['width', 'height']);
  return out;
}

function storage(path: Path, value: unknown): NonNullable<Manifest['storage']> {
  const input = object(path, value);
  const out = {
    quotaBytes: intIn([...path, 'quotaBytes'], input.quotaBytes, 0, MAX_STORAGE_QUOTA_BYTES),
  };
  noOtherKeys(path, input, ['quotaBytes']);
  return out;
}

const MANIFEST_KEYS = [
  'id',
  'name',
  'url',
  'description',
  'publishes',
  'subscribes',
  'reads',
  'permissions',
  'limits',
  'services',
  'size',
  'shortcuts',
  'storage',
  'sync',
  'scopes',
  'schemas',
] as const;
const PERMISSION_NAMES = Object.keys(PERMISSIONS) as (keyof typeof PERMISSIONS)[];

function manifest(value: unknown): Manifest {
  const input = object([], value);
  const id = string(['id'], input.id);
  if (!APP_ID_RE.test(id)) {
    throw new Issue(['id'], 'must be lowercase ASCII: a letter, then letters, digits, - or _');
  }
  if (id === HOST_APP_ID) throw new Issue(['id'], '"host" is reserved');
  const name = string(['name'], input.name).trim();
  if (name.length < 1)
    throw new Issue(['name'], 'Too small: expected string to have >=1 characters');
  maxLength(['name'], name, 80);
  const url = appUrl(['url'], input.url);
  const out: Manifest = { id, name, url } as Manifest;
  /** An optional field: checked when given, kept as `undefined` when given as that. */
  const optional = <K extends 'description' | 'storage' | 'sync' | 'schemas'>(
    key: K,
    check: (value: unknown) => Manifest[K],
  ) => {
    if (input[key] !== undefined) out[key] = check(input[key]);
    else if (key in input) out[key] = undefined;
  };
  optional('description', (v) => {
    const description = string(['description'], v);
    maxLength(['description'], description, 500);
    return description;
  });
  const list = <T>(
    key: string,
    max: number,
    item: (path: Path, value: unknown) => T,
    from = input,
    path: Path = [key],
  ): T[] => (from[key] === undefined ? [] : arrayOf(path, from[key], max, item));
  out.publishes = list('publishes', 64, pattern);
  out.subscribes = list('subscribes', 64, pattern);
  out.reads = list('reads', 64, (path, v) => {
    const s = string(path, v);
    if (!APP_ID_RE.test(s)) {
      throw new Issue(path, `Invalid string: must match pattern ${String(APP_ID_RE)}`);
    }
    return s;
  });
  out.permissions = list('permissions', 8, (path, v) => oneOf(path, v, PERMISSION_NAMES));
  out.limits = input.limits === undefined ? {} : limits(['limits'], input.limits);
  out.services = list('services', SERVICE_NAMES.length, (path, v) => oneOf(path, v, SERVICE_NAMES));
  // An absent size is an empty one: both axes take their defaults.
  out.size = size(['size'], input.size === undefined ? {} : input.size);
  out.shortcuts = list('shortcuts', 16, (path, v) => {
    if (!isShortcut(v)) {
      throw typeof v === 'string'
        ? new Issue(path, 'must be a shortcut like "Ctrl+K"')
        : invalidType(path, 'string', v);
    }
    return v;
  });
  optional('storage', (v) => storage(['storage'], v));
  optional('sync', (v) => {
    // SyncSchema: both lists like the manifest's own, then `state`, then no other keys.
    const from = object(['sync'], v);
    const synced = (key: string) => list(key, 64, pattern, from, ['sync', key]);
    const sync = { publishes: synced('publishes'), subscribes: synced('subscribes') };
    const state = from.state === undefined ? false : from.state;
    if (state !== !!state) throw invalidType(['sync', 'state'], 'boolean', state);
    noOtherKeys(['sync'], from, ['publishes', 'subscribes', 'state']);
    return { ...sync, state };
  });
  out.scopes = list('scopes', MAX_SCOPES, (path, v) => {
    const s = string(path, v);
    if (!SCOPE_RE.test(s)) throw new Issue(path, 'must be a scope like items:read');
    return s;
  });
  optional('schemas', (v) => {
    const issue = appSchemasIssue(v);
    if (issue) throw new Issue(['schemas', ...issue.path], issue.message);
    return v as Manifest['schemas'];
  });
  noOtherKeys([], input, MANIFEST_KEYS);
  out.publishes.forEach((p, i) => {
    if (p.split('.')[0] !== id) {
      throw new Issue(['publishes', i], `must start with the app's own id ("${id}.")`);
    }
  });
  for (const key of ['publishes', 'subscribes'] as const) {
    out.sync?.[key].forEach((p, i) => {
      if (!out[key].some((granted) => patternCovers(granted, p))) {
        throw new Issue(['sync', key, i], `must lie inside one of ${key}`);
      }
    });
  }
  for (const topic of Object.keys(out.schemas?.topics ?? {})) {
    if (!out.publishes.some((granted) => matchTopic(granted, topic))) {
      throw new Issue(['schemas', 'topics', topic], 'must be a topic of publishes');
    }
  }
  return out;
}

/** Validates a manifest as `ManifestSchema.safeParse` does, without zod. */
export function checkManifest(value: unknown): GuardResult<Manifest> {
  return guard(manifest, value);
}
