import type { Endpoint } from '../../sdk/protocol/registry.ts';
import { McError } from '../../sdk/protocol/errors.ts';

/**
 * Where `/api/<app>/<path>` goes: the backend's base URL joined with `<path>`, but only when
 * `<path>` is plain. The check is on the raw request target, before any URL parser resolved
 * `..` or turned `\` into `/`: a path with a dot segment (`..`, `%2e%2e`, `.%2E`), an
 * empty segment (`//`), a backslash or an encoded slash (`%2f`, `%5c`) in any form, or a
 * control character is refused with 400 rather than normalised, so that no spelling of a
 * path can leave the backend's base path or reach a route the endpoint list does not name.
 */
export interface GatewayPath {
  /** Decoded segments after `/api/<app>`; empty for `/api/<app>` and `/api/<app>/`. */
  readonly segments: readonly string[];
  /** The query string as sent, with its `?`, or empty. */
  readonly search: string;
  /** Whether the path ended in `/` (kept: `/items/` and `/items` may differ to a backend). */
  readonly trailingSlash: boolean;
}

const BAD_PATH =
  'the path must not contain dot segments, empty segments, backslashes or encoded slashes';

/** Splits the raw request target (`req.url`) of `/api/<app>/...`; throws INVALID_ARGUMENT. */
export function parseGatewayPath(rawUrl: string): GatewayPath {
  if (!rawUrl.startsWith('/')) throw new McError('INVALID_ARGUMENT', 'the path must be absolute');
  const queryAt = rawUrl.indexOf('?');
  const rawPath = queryAt === -1 ? rawUrl : rawUrl.slice(0, queryAt);
  const search = queryAt === -1 ? '' : rawUrl.slice(queryAt);
  if (rawPath.includes('\\') || rawPath.includes('#'))
    throw new McError('INVALID_ARGUMENT', BAD_PATH);
  // ['', 'api', '<app>', ...rest]
  const raw = rawPath.split('/').slice(3);
  const trailingSlash = raw.length > 0 && raw[raw.length - 1] === '';
  if (trailingSlash) raw.pop();
  const segments = raw.map((segment) => {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      throw new McError('INVALID_ARGUMENT', 'the path is not valid percent-encoded UTF-8');
    }
    if (
      decoded === '' ||
      decoded === '.' ||
      decoded === '..' ||
      /[/\\]/.test(decoded) ||
      // eslint-disable-next-line no-control-regex
      /[\u0000-\u001f\u007f]/.test(decoded)
    ) {
      throw new McError('INVALID_ARGUMENT', BAD_PATH);
    }
    return decoded;
  });
  return { segments, search, trailingSlash };
}

/** The endpoint whose path prefix covers `segments` (segment-wise: `/items` ≠ `/itemsx`). */
export function matchEndpoint(
  endpoints: readonly Endpoint[],
  segments: readonly string[],
): Endpoint[] {
  return endpoints.filter((endpoint) => {
    const prefix = endpoint.path.split('/').filter((s) => s !== '');
    return prefix.length <= segments.length && prefix.every((s, i) => segments[i] === s);
  });
}

/** Methods the matching endpoints allow (HEAD wherever GET is). */
export function allowedMethods(endpoints: readonly Endpoint[]): string[] {
  const methods = new Set<string>();
  for (const endpoint of endpoints) {
    for (const method of endpoint.methods) {
      methods.add(method);
      if (method === 'GET') methods.add('HEAD');
    }
  }
  return [...methods];
}

/**
 * The backend URL: origin and base path of `backendUrl` (its own query, fragment and any
 * user:password are dropped), then the segments, each percent-encoded again, then the query.
 */
export function targetUrl(
  backendUrl: string,
  path: GatewayPath,
): { origin: string; path: string; pathname: string } {
  const base = new URL(backendUrl);
  const basePath = base.pathname.replace(/\/+$/, '');
  const rest = path.segments.map((segment) => `/${encodeURIComponent(segment)}`).join('');
  const pathname = `${basePath}${rest}${path.trailingSlash || rest === '' ? '/' : ''}`;
  return { origin: base.origin, path: `${pathname}${path.search}`, pathname };
}
