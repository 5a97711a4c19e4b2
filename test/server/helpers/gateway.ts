import { pino } from 'pino';

import type { AppEntryInput } from '../../../sdk/protocol/registry.ts';
import { createServer, type McServer, type ServerOptions } from '../../../server/server.ts';
import { EngineKeySet, IDENTITY_TOKEN_TYPE } from '../../../server/tokens/index.ts';
import { signToken } from '../../../server/transport/index.ts';
import { type Child, kill, spawnTs } from './processes.ts';

/** The host page's origin the gateway servers allow beside `null`. */
export const HOST_ORIGIN = 'http://host.test';
/** The registry's admin credential on the gateway tests' servers. */
export const ADMIN = 'gateway-test-admin-token-0123456789-abcdefgh';
/** The HS256 secret of the users' tokens (the host's sign-in). */
const SECRET = 'gateway-test-secret-gateway-test-secret-0123';
/** The space the gateway tests' widgets run in. */
export const SPACE = 'team';

type Method = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** A registry entry for `id` with its backend at `url` and these endpoints. */
export function appEntry(
  id: string,
  url: string,
  endpoints: Array<{ path: string; methods?: Method[] }>,
  scopes: string[] = [],
): AppEntryInput {
  return {
    manifest: { id, name: id, url: `http://127.0.0.1:9/${id}/`, scopes, services: ['identity'] },
    version: '1.0.0',
    backend: { url, endpoints },
  };
}

/**
 * The real server (embedded engine in memory, registry, tokens, gateway) with the test
 * origin, user secret and admin token, quiet unless MC_TEST_LOG is set; `entries` are put
 * into its registry through the admin API, and the space {@link SPACE} exists.
 */
export async function startGatewayServer(
  entries: AppEntryInput[],
  options: ServerOptions = {},
): Promise<McServer> {
  const server = await createServer({
    port: 0,
    engine: { engine: 'embedded', url: ':memory:' },
    logger: pino({ level: process.env.MC_TEST_LOG ?? 'silent' }),
    hostOrigins: [HOST_ORIGIN],
    authSecret: SECRET,
    adminToken: ADMIN,
    ...options,
  });
  try {
    for (const entry of entries) {
      const res = await fetch(`${server.url}/registry/apps/${entry.manifest.id}`, {
        method: 'PUT',
        headers: {
          authorization: `Bearer ${ADMIN}`,
          'content-type': 'application/json',
          'if-none-match': '*',
        },
        body: JSON.stringify(entry),
      });
      if (res.status !== 201) throw new Error(`registry: ${res.status} ${await res.text()}`);
    }
    await server.spaces.create(SPACE, { members: ['ann'] });
  } catch (error) {
    await server.close();
    throw error;
  }
  return server;
}

/**
 * An identity token as a widget gets it: `POST /tokens/identity` by the host page, signed in
 * as `user` (made a member of the space first).
 */
export async function identityToken(server: McServer, app: string, user = 'ann'): Promise<string> {
  await server.spaces.addMembers(SPACE, [user]);
  const res = await fetch(`${server.url}/tokens/identity`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${await signToken(SECRET, user)}`,
      origin: HOST_ORIGIN,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ app, space: SPACE, slot: 's1' }),
  });
  const body = (await res.json()) as { token?: string };
  if (res.status !== 200 || body.token === undefined) {
    throw new Error(`identity token: ${res.status} ${JSON.stringify(body)}`);
  }
  return body.token;
}

/**
 * A token signed with the server's real keys (its engine's key ring) as of `skewMs` ago:
 * for the kinds the identity route never mints (expired, another `typ`, other claims).
 */
export function signedAs(
  server: McServer,
  claims: Record<string, unknown>,
  options: { audience: string; ttlS?: number; type?: string; skewMs?: number },
): Promise<string> {
  const keys = new EngineKeySet(server.engine.records, {
    issuer: server.url,
    now: () => Date.now() - (options.skewMs ?? 0),
  });
  return keys.sign(claims, {
    audience: options.audience,
    ttlS: options.ttlS ?? 60,
    type: options.type ?? IDENTITY_TOKEN_TYPE,
  });
}

/** The sample backend (test/server/fixtures/echo-backend.ts) as its own process. */
export interface Backend {
  readonly child: Child;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  close(): Promise<void>;
}

export async function startBackend(args: string[] = []): Promise<Backend> {
  const child = spawnTs('test/server/fixtures/echo-backend.ts', args);
  const line = await child.line((l) => l.startsWith('listening '));
  return {
    child,
    url: line.slice('listening '.length),
    close: () => kill(child.child),
  };
}

/** `GET /metrics` of a server. */
export async function metricsText(server: McServer): Promise<string> {
  return (await fetch(`${server.url}/metrics`)).text();
}
