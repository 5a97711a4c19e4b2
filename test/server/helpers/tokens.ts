import type { AppEntryInput } from '../../../sdk/protocol/registry.ts';
import type { McServer } from '../../../server/server.ts';
import { signToken } from '../../../server/transport/index.ts';
import { RegistryApi } from './registry.ts';
import { ORIGIN, SECRET } from './ws-client.ts';

/** Puts the apps of the identity tests into the server's registry (once per engine store). */
export async function registerApps(server: McServer): Promise<void> {
  const api = new RegistryApi(server);
  for (const entry of [
    appEntry('todo', ['items:read', 'items:write']),
    appEntry('chat'),
    appEntry('plain', [], ['notify']),
  ]) {
    if ((await api.publicApp(entry.manifest.id)) === undefined) await api.create(entry);
  }
}

/** A registry entry for app `id` served from loopback. */
export function appEntry(
  id: string,
  scopes: string[] = [],
  services: Array<'identity' | 'notify'> = ['identity'],
): AppEntryInput {
  return {
    manifest: { id, name: id, url: `http://127.0.0.1:9/${id}/`, services, scopes },
    version: '1.0.0',
  };
}

/** What `POST /tokens/identity` answered. */
export interface MintAnswer {
  readonly status: number;
  readonly body: { token?: string; expiresAt?: number; error?: { code: string } };
  readonly headers: Headers;
}

/** `POST /tokens/identity` as `user` (a signed user token; null: none) from `origin`. */
export async function mint(
  server: McServer,
  body: unknown,
  options: { user?: string | null; origin?: string | null; token?: string } = {},
): Promise<MintAnswer> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const user = options.user === undefined ? 'ann' : options.user;
  const token = options.token ?? (user === null ? undefined : await signToken(SECRET, user));
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  const origin = options.origin === undefined ? ORIGIN : options.origin;
  if (origin !== null) headers.origin = origin;
  const res = await fetch(`${server.url}/tokens/identity`, {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return {
    status: res.status,
    body: (await res.json()) as MintAnswer['body'],
    headers: res.headers,
  };
}

/** The decoded header and payload of a JWT (unverified). */
export function decode(token: string): {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
} {
  const [header, payload] = token
    .split('.')
    .slice(0, 2)
    .map((part) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')));
  return { header, payload };
}
