import type { IncomingMessage, ServerResponse } from 'node:http';

import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Agent } from 'undici';

import { McError } from '../../sdk/protocol/errors.ts';
import { sendError } from '../http/respond.ts';
import type { Route, RouteContext } from '../http/route.ts';
import type { RegistryReader } from '../registry/types.ts';
import { ASSERTION_TOKEN_TYPE } from '../tokens/token-types.ts';
import type { KeySet } from '../tokens/types.ts';
import { AddressGuard } from './address-guard.ts';
import { BodyLimit, discardRest, tooLarge } from './body-limit.ts';
import { GatewayCors } from './cors.ts';
import { GatewayMetrics } from './gateway-metrics.ts';
import { ExpiringCache } from './expiring-cache.ts';
import { createGuardedAgent } from './guarded-agent.ts';
import { forwardHeaders, responseHeaders } from './headers.ts';
import { authenticate, type GatewayIdentity } from './identity.ts';
import { RateLimiter, type Rate } from './rate-limiter.ts';
import { allowedMethods, matchEndpoint, parseGatewayPath, targetUrl } from './target.ts';

/** The path the gateway serves: `/api/<app>/<path under the backend's base URL>`. */
export const GATEWAY_PATH = '/api/:app/*';

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

/** Verified tokens and signed assertions remembered (each ≈ 1 KB). */
const CACHE_ENTRIES = 4_096;

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

/** What the gateway reads and writes through. */
export interface GatewayDeps {
  readonly registry: RegistryReader;
  readonly keys: KeySet;
  readonly logger: Logger;
  readonly metrics: Registry;
  /** Host pages' origins, allowed by CORS beside `null` (sandboxed widgets). */
  readonly hostOrigins: readonly string[];
  /** Longest lifetime the keys sign (the server's `maxTokenTtlS`): caps `assertionTtlS`. */
  readonly maxTokenTtlS?: number;
}

/**
 * The API gateway: `/api/<app>/*` forwarded to that app's backend from the registry, for a
 * widget holding an identity token of that app (docs/backends.md, "Gateway"). Bodies stream
 * both ways through an undici Agent whose connections only reach allowed addresses.
 */
export class Gateway {
  readonly route: Route;
  readonly #deps: GatewayDeps;
  readonly #limits: GatewayLimits;
  readonly #agent: Agent;
  readonly #cors: GatewayCors;
  readonly #metrics: GatewayMetrics;
  readonly #appRate: RateLimiter;
  readonly #userRate: RateLimiter;
  readonly #log: Logger;
  readonly #verified = new ExpiringCache<GatewayIdentity>(CACHE_ENTRIES);
  readonly #assertions = new ExpiringCache<string>(CACHE_ENTRIES);

  constructor(config: GatewayConfig, deps: GatewayDeps) {
    this.#deps = deps;
    const limits = { ...DEFAULT_GATEWAY_LIMITS, ...config.gateway };
    this.#limits = {
      ...limits,
      assertionTtlS: Math.min(limits.assertionTtlS, deps.maxTokenTtlS ?? limits.assertionTtlS),
    };
    this.#agent = createGuardedAgent(new AddressGuard(config.gatewayAllow), this.#limits);
    this.#cors = new GatewayCors(deps.hostOrigins);
    this.#metrics = new GatewayMetrics(deps.metrics);
    this.#appRate = new RateLimiter(this.#limits.appRate);
    this.#userRate = new RateLimiter(this.#limits.userRate);
    this.#log = deps.logger.child({ component: 'gateway' });
    this.route = {
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
      path: GATEWAY_PATH,
      name: '/api/:app/*',
      handle: (ctx) => this.#handle(ctx),
    };
  }

  /** Closes the backend connections (after the HTTP server stopped taking requests). */
  async close(): Promise<void> {
    await this.#agent.destroy();
  }

  async #handle({ req, res, params }: RouteContext): Promise<number> {
    const app = params.app!;
    const origin = this.#cors.allowedOrigin(req);
    for (const [name, value] of Object.entries(this.#cors.responseHeaders(origin))) {
      res.setHeader(name, value);
    }
    let label = '-';
    let status: number;
    try {
      status = await this.#serve(req, res, app, origin, () => (label = app));
    } catch (error) {
      if (!(error instanceof McError))
        this.#log.error({ err: error, app: label }, 'gateway failed');
      status = sendError(res, error);
    }
    this.#metrics.requests.inc({ app: label, status });
    return status;
  }

  async #serve(
    req: IncomingMessage,
    res: ServerResponse,
    app: string,
    origin: string | undefined,
    known: () => void,
  ): Promise<number> {
    const method = req.method ?? 'GET';
    if (method === 'OPTIONS' && origin === undefined) {
      throw new McError('NOT_PERMITTED', 'CORS: this origin may not call the gateway');
    }
    const backend = (await this.#deps.registry.get(app))?.entry.backend;
    if (backend === undefined) throw new McError('NOT_FOUND', 'no such app or it has no backend');
    known();
    const path = parseGatewayPath(req.url ?? '/');
    const endpoints = matchEndpoint(backend.endpoints, path.segments);
    if (endpoints.length === 0) throw new McError('NOT_FOUND', 'not an endpoint of this app');
    const methods = allowedMethods(endpoints);
    if (method === 'OPTIONS') {
      res.writeHead(204, this.#cors.preflightHeaders(origin!, methods));
      res.end();
      return 204;
    }
    if (!methods.includes(method)) {
      res.setHeader('allow', methods.join(', '));
      return sendError(res, new McError('INVALID_ARGUMENT', 'method not allowed'), 405);
    }
    const identity = await this.#identity(req, app);
    this.#limitRate(res, app, identity.sub);
    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) > this.#limits.maxBodyBytes) {
      discardRest(req, res);
      throw tooLarge(this.#limits.maxBodyBytes);
    }
    return this.#forward(req, res, app, identity, targetUrl(backend.url, path));
  }

  /**
   * The request's identity, from memory when this very token (the same bytes) verified for
   * this app before and has not expired: a widget reuses its token for many calls.
   */
  async #identity(req: IncomingMessage, app: string): Promise<GatewayIdentity> {
    const key = `${app} ${req.headers.authorization ?? ''}`;
    const known = this.#verified.get(key);
    if (known !== undefined) return known;
    const identity = await authenticate(req, app, this.#deps.keys);
    this.#verified.set(key, identity, identity.exp * 1000);
    return identity;
  }

  /** The assertion for this request: signed anew, or one signed for the same call ≤ reuse ago. */
  async #assertion(
    req: IncomingMessage,
    app: string,
    identity: GatewayIdentity,
    pathname: string,
  ): Promise<string> {
    const method = req.method ?? 'GET';
    const key = `${app} ${req.headers.authorization ?? ''} ${method} ${pathname}`;
    const known = this.#assertions.get(key);
    if (known !== undefined) return known;
    const ttlS = this.#limits.assertionTtlS;
    const assertion = await this.#deps.keys.sign(
      {
        sub: identity.sub,
        space: identity.space,
        slot: identity.slot,
        scopes: identity.scopes,
        htm: method,
        htu: pathname,
      },
      { audience: app, ttlS, type: ASSERTION_TOKEN_TYPE },
    );
    const reuseMs = Math.min(this.#limits.assertionReuseMs, ttlS * 500);
    this.#assertions.set(key, assertion, Date.now() + reuseMs);
    return assertion;
  }

  /** Throws RATE_LIMITED (429 with Retry-After) when the app's or the user's bucket is empty. */
  #limitRate(res: ServerResponse, app: string, user: string): void {
    const userKey = `${app}\n${user}`;
    const userWait = this.#userRate.take(userKey);
    const appWait = userWait === 0 ? this.#appRate.take(app) : 0;
    if (appWait !== 0) this.#userRate.refund(userKey);
    const wait = Math.max(userWait, appWait);
    if (wait === 0) return;
    res.setHeader('retry-after', String(wait));
    throw new McError(
      'RATE_LIMITED',
      userWait !== 0
        ? 'too many requests from this user to this app'
        : 'too many requests to this app',
    );
  }

  async #forward(
    req: IncomingMessage,
    res: ServerResponse,
    app: string,
    identity: GatewayIdentity,
    target: { origin: string; path: string; pathname: string },
  ): Promise<number> {
    const method = req.method ?? 'GET';
    const assertion = await this.#assertion(req, app, identity, target.pathname);
    const headers = forwardHeaders(req.headers, {
      user: identity.sub,
      app,
      space: identity.space,
      assertion,
      clientAddress: req.socket.remoteAddress ?? '',
      proto: 'encrypted' in req.socket && req.socket.encrypted ? 'https' : 'http',
    });
    const hasBody =
      req.headers['transfer-encoding'] !== undefined ||
      Number(req.headers['content-length'] ?? 0) > 0;
    const limit = hasBody ? new BodyLimit(this.#limits.maxBodyBytes) : undefined;
    if (limit !== undefined) {
      req.pipe(limit);
      req.once('error', (error) => limit.destroy(error));
    }
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new McError('BACKEND_TIMEOUT', 'the backend did not answer in time'));
    }, this.#limits.requestTimeoutMs);
    let clientGone = false;
    const onClose = () => {
      if (res.writableFinished) return;
      clientGone = true;
      controller.abort(new McError('APP_DISCONNECTED', 'client gone'));
    };
    res.once('close', onClose);
    const started = performance.now();
    let status: number | undefined;
    try {
      // stream(), not request(): undici writes the body straight into `res` (its
      // backpressure included) instead of through a Readable and a pipeline.
      await this.#agent.stream(
        {
          origin: target.origin,
          path: target.path,
          method: method as 'GET',
          headers,
          body: limit ?? null,
          signal: controller.signal,
        },
        ({ statusCode, headers: answer }) => {
          this.#metrics.upstream.observe({ app }, (performance.now() - started) / 1000);
          status = statusCode;
          res.writeHead(statusCode, responseHeaders(answer));
          return res;
        },
      );
      return status!;
    } catch (error) {
      if (status !== undefined) {
        // Headers are out: the client sees a cut body. Logged, not answered.
        if (!res.destroyed) res.destroy();
        if (!clientGone) this.#log.warn({ app, err: String(error), timedOut }, 'response body cut');
        return status;
      }
      if (limit?.exceeded) {
        discardRest(req, res, limit);
        throw tooLarge(this.#limits.maxBodyBytes);
      }
      if (res.destroyed) return 499;
      throw this.#upstreamError(app, error, timedOut);
    } finally {
      clearTimeout(timer);
      res.off('close', onClose);
    }
  }

  /** An undici or connect error as the gateway's answer: 502, 504, or the guard's refusal. */
  #upstreamError(app: string, error: unknown, timedOut: boolean): McError {
    const code = (error as { code?: unknown }).code;
    let answer: McError;
    if (error instanceof McError && error.code === 'ADDRESS_REFUSED') {
      answer = error;
    } else if (
      timedOut ||
      code === 'UND_ERR_CONNECT_TIMEOUT' ||
      code === 'UND_ERR_HEADERS_TIMEOUT' ||
      code === 'UND_ERR_BODY_TIMEOUT'
    ) {
      answer = new McError('BACKEND_TIMEOUT', 'the backend did not answer in time');
    } else {
      answer = new McError('BACKEND_UNAVAILABLE', 'the backend could not be reached');
    }
    this.#log.warn({ app, code: answer.code, cause: String(code ?? error) }, answer.message);
    return answer;
  }
}
