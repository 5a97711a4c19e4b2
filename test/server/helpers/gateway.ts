import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { exportJWK, generateKeyPair, jwtVerify, createLocalJWKSet, SignJWT, type JWK } from 'jose';
import { pino } from 'pino';
import { Registry } from 'prom-client';

import { McError } from '../../../sdk/protocol/errors.ts';
import { AppEntrySchema, type AppEntryInput } from '../../../sdk/protocol/registry.ts';
import { Gateway, type GatewayConfig } from '../../../server/gateway/index.ts';
import { sendError, sendJson } from '../../../server/http/respond.ts';
import { matchRoute } from '../../../server/http/route.ts';
import type { RegistryReader, StoredApp } from '../../../server/registry/types.ts';
import type { KeySet } from '../../../server/tokens/types.ts';
import { type Child, kill, spawnTs } from './processes.ts';

export const ISSUER = 'http://gateway.test';

/**
 * A small real KeySet (ES256 with jose) until server/tokens lands: signs with one key,
 * verifies signature, `typ`, audience, issuer and expiry.
 */
export class TestKeySet implements KeySet {
  readonly #pair: Promise<{ privateKey: CryptoKey; jwk: JWK }>;

  constructor() {
    this.#pair = generateKeyPair('ES256', { extractable: true }).then(async (pair) => ({
      privateKey: pair.privateKey,
      jwk: { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' },
    }));
  }

  async sign(
    claims: Record<string, unknown>,
    options: { audience: string; ttlS: number; type: string },
  ): Promise<string> {
    const { privateKey } = await this.#pair;
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ jti: crypto.randomUUID(), iat: now, exp: now + options.ttlS, ...claims })
      .setProtectedHeader({ alg: 'ES256', typ: options.type, kid: 'k1' })
      .setIssuer(ISSUER)
      .setAudience(options.audience)
      .sign(privateKey);
  }

  async verify(
    token: string,
    options: { audience: string; type: string },
  ): Promise<Record<string, unknown>> {
    try {
      const { payload } = await jwtVerify(token, createLocalJWKSet(await this.jwks()), {
        audience: options.audience,
        issuer: ISSUER,
        typ: options.type,
        algorithms: ['ES256'],
      });
      return payload;
    } catch {
      throw new McError('UNAUTHENTICATED', 'the token does not verify');
    }
  }

  async jwks(): Promise<{ keys: JWK[] }> {
    return { keys: [(await this.#pair).jwk] };
  }

  async rotate(): Promise<void> {}
}

/** A RegistryReader over a Map of entries (until server/registry lands). */
export class MapRegistry implements RegistryReader {
  readonly #apps = new Map<string, StoredApp>();

  put(input: AppEntryInput): void {
    const entry = AppEntrySchema.parse(input);
    this.#apps.set(entry.manifest.id, { entry, etag: `"${this.#apps.size + 1}"` });
  }

  async get(appId: string): Promise<StoredApp | undefined> {
    return this.#apps.get(appId);
  }

  async list(): Promise<StoredApp[]> {
    return [...this.#apps.values()];
  }

  async health(): Promise<'unknown'> {
    return 'unknown';
  }
}

/** A registry entry for `id` with its backend at `url` and these endpoints. */
export function appEntry(
  id: string,
  url: string,
  endpoints: Array<{
    path: string;
    methods?: Array<'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'>;
  }>,
): AppEntryInput {
  return {
    manifest: { id, name: id, url: `http://127.0.0.1:9/${id}/` },
    version: '1.0.0',
    backend: { url, endpoints },
  };
}

export const HOST_ORIGIN = 'http://host.test';

/** The gateway on its own HTTP server (its route, as server.ts mounts it). */
export interface GatewayHarness {
  readonly url: string;
  readonly gateway: Gateway;
  readonly metrics: Registry;
  close(): Promise<void>;
}

export async function startGateway(
  deps: { registry: RegistryReader; keys: KeySet },
  config: GatewayConfig = {},
): Promise<GatewayHarness> {
  const metrics = new Registry();
  const gateway = new Gateway(config, {
    ...deps,
    logger: pino({ level: process.env.MC_TEST_LOG ?? 'silent' }),
    metrics,
    hostOrigins: [HOST_ORIGIN],
  });
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://server');
    const match = matchRoute([gateway.route], req.method ?? 'GET', url.pathname);
    if (match?.route === undefined) {
      sendJson(res, 404, { error: { code: 'NOT_FOUND', message: 'not found' } });
      return;
    }
    try {
      await match.route.handle({ req, res, url, params: match.params });
    } catch (error) {
      sendError(res, error);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    gateway,
    metrics,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await gateway.close();
    },
  };
}

/** The sample backend (test/server/fixtures/echo-backend.ts) as its own process. */
export interface Backend {
  readonly child: Child;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  close(): Promise<void>;
}

export async function startBackend(host = '127.0.0.1'): Promise<Backend> {
  const child = spawnTs('test/server/fixtures/echo-backend.ts', ['--host', host]);
  const line = await child.line((l) => l.startsWith('listening '));
  return {
    child,
    url: line.slice('listening '.length),
    close: () => kill(child.child),
  };
}
