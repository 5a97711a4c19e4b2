import type { IncomingMessage } from 'node:http';

/** Request headers a widget may send through the gateway (the preflight's answer). */
const ALLOWED_HEADERS = 'authorization, content-type';
/** How long a browser may cache a preflight's answer. */
const MAX_AGE_S = 600;

/**
 * CORS of the gateway. Widgets run in sandboxed frames with an opaque origin, so their
 * requests say `Origin: null`; host pages say their own origin. Those two kinds alone get
 * `Access-Control-Allow-Origin` (the origin itself, never `*`, never another site's origin
 * echoed back), and never `Access-Control-Allow-Credentials`. Allowing `null` is safe here
 * because the gateway's only credential is the bearer token a script must attach itself:
 * cookies are ignored and stripped, so a request from any page carries no ambient authority
 * (docs/backends.md, "Gateway").
 */
export class GatewayCors {
  readonly #origins: ReadonlySet<string>;

  constructor(hostOrigins: readonly string[]) {
    this.#origins = new Set(['null', ...hostOrigins]);
  }

  /** The request's `Origin` when it may read answers, else undefined. */
  allowedOrigin(req: IncomingMessage): string | undefined {
    const origin = req.headers.origin;
    return origin !== undefined && this.#origins.has(origin) ? origin : undefined;
  }

  /** Headers for an answer to an allowed origin (and `Vary`, for any answer). */
  responseHeaders(origin: string | undefined): Record<string, string> {
    if (origin === undefined) return { vary: 'Origin' };
    return {
      vary: 'Origin',
      'access-control-allow-origin': origin,
      'access-control-expose-headers': 'retry-after, content-length, etag',
    };
  }

  /** Headers of a preflight's answer for `methods`. */
  preflightHeaders(origin: string, methods: readonly string[]): Record<string, string> {
    return {
      vary: 'Origin',
      'access-control-allow-origin': origin,
      'access-control-allow-methods': methods.join(', '),
      'access-control-allow-headers': ALLOWED_HEADERS,
      'access-control-max-age': String(MAX_AGE_S),
    };
  }
}
