import type { IncomingMessage, ServerResponse } from 'node:http';

/** What a route handler gets. */
export interface RouteContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly url: URL;
  /** Values of the pattern's `:name` segments (decoded), and `*` for the rest of the path. */
  readonly params: Readonly<Record<string, string>>;
}

/**
 * One HTTP route. `path` is a pattern of literal segments, `:name` segments (one segment,
 * any text but `/`) and an optional final `*` (the rest of the path, possibly empty).
 * Handlers answer themselves and resolve to the status they sent (for metrics).
 */
export interface Route {
  /** Methods served; `OPTIONS` is answered by the route only when listed. */
  readonly methods: readonly string[];
  readonly path: string;
  /** The metrics label: a fixed name, never the path itself (unbounded cardinality). */
  readonly name: string;
  handle(ctx: RouteContext): Promise<number>;
}

export type RouteMatch =
  | { readonly route: Route; readonly params: Record<string, string> }
  | { readonly route: undefined; readonly allow: readonly string[] }
  | undefined;

/**
 * The route for `method` and `path`: the first whose pattern matches and which serves the
 * method; when patterns match but none serves it, the methods that would (for a 405).
 */
export function matchRoute(routes: readonly Route[], method: string, path: string): RouteMatch {
  const allow: string[] = [];
  for (const route of routes) {
    const params = matchPath(route.path, path);
    if (params === undefined) continue;
    if (route.methods.includes(method) || (method === 'HEAD' && route.methods.includes('GET'))) {
      return { route, params };
    }
    allow.push(...route.methods);
  }
  return allow.length > 0 ? { route: undefined, allow } : undefined;
}

function matchPath(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split('/');
  const got = path.split('/');
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const segment = want[i]!;
    if (segment === '*' && i === want.length - 1) {
      params['*'] = got.slice(i).join('/');
      return params;
    }
    const value = got[i];
    if (value === undefined) return undefined;
    if (segment.startsWith(':')) {
      if (value === '') return undefined;
      try {
        params[segment.slice(1)] = decodeURIComponent(value);
      } catch {
        return undefined;
      }
    } else if (segment !== value) {
      return undefined;
    }
  }
  return got.length === want.length ? params : undefined;
}
