import type { IncomingHttpHeaders } from 'node:http';

/** Hop-by-hop headers (RFC 9110 §7.6.1), meaningful for one connection only. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/**
 * Never forwarded to a backend: the client's credentials (the gateway's bearer token is for
 * the gateway; cookies are ignored so that no request carries ambient authority), the
 * headers the gateway sets itself (a client cannot forge an identity or a forwarding
 * chain), `host` (the backend's own), and `expect` (undici does not speak 100-continue).
 */
const DROPPED = new Set([
  'cookie',
  'authorization',
  'host',
  'expect',
  'x-user-id',
  'x-microapp-id',
  'forwarded',
  'x-forwarded-for',
  'x-forwarded-proto',
  'x-forwarded-host',
  'x-real-ip',
]);

/** What the gateway adds to each forwarded request. */
export interface IdentityHeaders {
  readonly user: string;
  readonly app: string;
  readonly space: string;
  readonly assertion: string;
  readonly clientAddress: string;
  readonly proto: 'http' | 'https';
}

/** The request headers for the backend: the client's, filtered, then the gateway's own. */
export function forwardHeaders(
  incoming: IncomingHttpHeaders,
  identity: IdentityHeaders,
): Record<string, string | string[]> {
  const named = connectionTokens(incoming.connection);
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(incoming)) {
    if (value === undefined) continue;
    if (HOP_BY_HOP.has(name) || DROPPED.has(name) || named.has(name)) continue;
    if (name.startsWith('x-microcanvas-')) continue;
    out[name] = value;
  }
  out['x-user-id'] = identity.user;
  out['x-microapp-id'] = identity.app;
  out['x-microcanvas-space'] = identity.space;
  out['x-microcanvas-assertion'] = identity.assertion;
  out['x-forwarded-for'] = identity.clientAddress;
  out['x-forwarded-proto'] = identity.proto;
  return out;
}

/**
 * Response headers that act on the whole origin (the server's, which answers for every app)
 * rather than on one answer: a backend must not pin HTTPS, wipe storage, redirect the
 * origin's traffic or widen a service worker's scope for everyone.
 */
const ORIGIN_WIDE = new Set([
  'strict-transport-security',
  'clear-site-data',
  'alt-svc',
  'service-worker-allowed',
  'public-key-pins',
  'public-key-pins-report-only',
  'expect-ct',
  'origin-agent-cluster',
  'nel',
  'report-to',
  'reporting-endpoints',
]);

/**
 * The response headers for the client: without `set-cookie` (a backend cannot plant cookies
 * on the server's origin), hop-by-hop headers, CORS headers (the gateway alone decides
 * who may read an answer; a backend cannot grant credentials or a wildcard) and origin-wide
 * ones; with `Content-Security-Policy: sandbox` and `nosniff`, so that an answer opened as a
 * page on the server's origin runs no script there (widgets read answers with fetch, which
 * neither header hinders).
 */
export function responseHeaders(
  incoming: Record<string, string | string[] | undefined>,
): Record<string, string | string[]> {
  const named = connectionTokens(incoming.connection);
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(incoming)) {
    const lower = name.toLowerCase();
    if (value === undefined || HOP_BY_HOP.has(lower) || named.has(lower)) continue;
    if (lower === 'set-cookie' || lower === 'set-cookie2') continue;
    if (lower.startsWith('access-control-') || ORIGIN_WIDE.has(lower)) continue;
    if (lower === 'content-security-policy' || lower === 'x-content-type-options') continue;
    out[lower] = value;
  }
  out['content-security-policy'] = 'sandbox';
  out['x-content-type-options'] = 'nosniff';
  return out;
}

/** Headers a `Connection` header names as hop-by-hop. */
function connectionTokens(value: string | string[] | undefined): Set<string> {
  const text = Array.isArray(value) ? value.join(',') : (value ?? '');
  return new Set(
    text
      .split(',')
      .map((token) => token.trim().toLowerCase())
      .filter((token) => token !== ''),
  );
}
