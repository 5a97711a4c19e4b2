import type { IncomingMessage, ServerResponse } from 'node:http';

import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Agent } from 'undici';

import { McError } from '../../sdk/protocol/errors.ts';
import { sendError } from '../http/respond.ts';
import type { Route, RouteContext } from '../http/route.ts';
import type { RegistryReader } from '../registry/types.ts';
import type { KeySet } from '../tokens/types.ts';
import { AddressGuard } from './address-guard.ts';
import { discardRest, tooLarge } from './body-limit.ts';
import { GatewayCors } from './cors.ts';
import { forward } from './forward.ts';
import { GatewayMetrics } from './gateway-metrics.ts';
import { createGuardedAgent } from './guarded-agent.ts';
import { forwardHeaders } from './headers.ts';
import { Identities } from './identities.ts';
import { DEFAULT_GATEWAY_LIMITS, type GatewayConfig, type GatewayLimits } from './limits.ts';
import { RateLimiter } from './rate-limiter.ts';
import { allowedMethods, matchEndpoint, parseGatewayPath, targetUrl } from './target.ts';

/** The path the gateway serves: `/api/<app>/<path under the backend's base URL>`. */
export const GATEWAY_PATH = '/api/:app/*';

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
  readonly #identities: Identities;

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
    this.#identities = new Identities(deps.keys, this.#limits);
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
    const identity = await this.#identities.identity(req, app);
    this.#limitRate(res, app, identity.sub);
    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) > this.#limits.maxBodyBytes) {
      discardRest(req, res);
      throw tooLarge(this.#limits.maxBodyBytes);
    }
    const target = targetUrl(backend.url, path);
    const assertion = await this.#identities.assertion(req, app, identity, target.pathname);
    const headers = forwardHeaders(req.headers, {
      user: identity.sub,
      app,
      space: identity.space,
      assertion,
      clientAddress: req.socket.remoteAddress ?? '',
      proto: 'encrypted' in req.socket && req.socket.encrypted ? 'https' : 'http',
    });
    return forward(req, res, {
      agent: this.#agent,
      app,
      target,
      headers,
      maxBodyBytes: this.#limits.maxBodyBytes,
      requestTimeoutMs: this.#limits.requestTimeoutMs,
      metrics: this.#metrics,
      log: this.#log,
    });
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
}
