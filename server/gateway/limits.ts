import type { Rate } from './rate-limiter.ts';

/** The gateway's bounds (ServerOptions `gateway`); every field has a default. */
export interface GatewayLimits {
  /** Largest request body forwarded; more is 413, also mid-stream. Default 10 MiB. */
  readonly maxBodyBytes: number;
  /** To open a connection to a backend. Default 5 s. */
  readonly connectTimeoutMs: number;
  /** From the request sent to the backend's response headers. Default 15 s. */
  readonly headersTimeoutMs: number;
  /** Between two chunks of the backend's response body. Default 15 s. */
  readonly bodyTimeoutMs: number;
  /** The whole exchange, bodies included: 504 when it runs out before an answer. Default 30 s. */
  readonly requestTimeoutMs: number;
  /** Requests per app, over all users (per server process). Default 200/s, burst 400. */
  readonly appRate: Rate;
  /** Requests per user and app (per server process). Default 20/s, burst 40. */
  readonly userRate: Rate;
  /** Lifetime of the `X-Microcanvas-Assertion` JWT. Default 30 s. */
  readonly assertionTtlS: number;
  /**
   * How long one signed assertion serves again for the same token, method and path (at most
   * half its lifetime). Default 0: a fresh assertion, with its own `jti`, for every request,
   * so that a backend may refuse a `jti` it saw before. Above 0 saves an ES256 signature per
   * repeated call (≈ 0.4 ms of CPU on the reference machine) but the `jti` is no longer
   * unique per request (docs/backends.md, "Gateway").
   */
  readonly assertionReuseMs: number;
}

export const DEFAULT_GATEWAY_LIMITS: GatewayLimits = {
  maxBodyBytes: 10 * 1024 * 1024,
  connectTimeoutMs: 5_000,
  headersTimeoutMs: 15_000,
  bodyTimeoutMs: 15_000,
  requestTimeoutMs: 30_000,
  appRate: { perSec: 200, burst: 400 },
  userRate: { perSec: 20, burst: 40 },
  assertionTtlS: 30,
  assertionReuseMs: 0,
};

/** The gateway's options (part of ServerOptions). */
export interface GatewayConfig {
  /**
   * CIDR ranges of private, loopback, link-local or unique-local addresses the gateway may
   * forward to (`127.0.0.0/8`, `::1/128`, `10.1.0.0/16`). Default none: a registry entry
   * whose backend is not on a public address is refused (ADDRESS_REFUSED, 502).
   */
  readonly gatewayAllow?: readonly string[];
  /** Bounds of the gateway; defaults in {@link DEFAULT_GATEWAY_LIMITS}. */
  readonly gateway?: Partial<GatewayLimits>;
}
