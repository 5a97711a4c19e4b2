import { McError, toMcError, type ErrorCode } from '../../sdk/protocol/errors.ts';
import {
  IDENTITY_TOKEN_PATH,
  IdentityTokenSchema,
  type IdentityRequest,
  type IdentityToken,
} from '../../sdk/protocol/identity.ts';

/** The code of an HTTP status when the server's answer has no error body. */
function statusCode(status: number): ErrorCode {
  if (status === 401) return 'UNAUTHENTICATED';
  if (status === 403) return 'NOT_PERMITTED';
  if (status === 404) return 'NOT_FOUND';
  if (status === 429) return 'RATE_LIMITED';
  return 'STORAGE_UNAVAILABLE';
}

/**
 * `POST /tokens/identity` on the server at `base` with the user's `token`: the server's answer
 * checked with the protocol's schema, or an `McError` with the server's code (`NOT_READY`
 * when the server cannot be reached, `CALL_TIMEOUT` after `timeoutMs`). No cookies are sent:
 * the bearer token is the credential.
 */
export async function requestIdentityToken(
  base: string | URL,
  token: string,
  request: IdentityRequest,
  timeoutMs: number,
): Promise<IdentityToken> {
  const url = new URL(IDENTITY_TOKEN_PATH, base);
  if (url.protocol === 'ws:' || url.protocol === 'wss:') {
    url.protocol = url.protocol === 'wss:' ? 'https:' : 'http:';
  }
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(request),
      credentials: 'omit',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    if ((error as { name?: string }).name === 'TimeoutError') {
      throw new McError('CALL_TIMEOUT', `no identity token within ${timeoutMs} ms`);
    }
    throw new McError('NOT_READY', 'the server could not be reached');
  }
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    body = undefined;
  }
  if (!res.ok) {
    const error = (body as { error?: unknown } | undefined)?.error;
    throw error === undefined
      ? new McError(statusCode(res.status), `the server answered ${res.status}`)
      : toMcError(error, statusCode(res.status));
  }
  const parsed = IdentityTokenSchema.safeParse(body);
  if (!parsed.success) throw new McError('MALFORMED_MESSAGE', 'not an identity token answer');
  const api = new URL(`/api/${encodeURIComponent(request.app)}`, url).href;
  return { token: parsed.data.token, expiresAt: parsed.data.expiresAt, api };
}
