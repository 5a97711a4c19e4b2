import type { IncomingMessage, ServerResponse } from 'node:http';

import { DEV_TOKEN_TTL_S, signToken } from './auth.ts';

const USER_RE = /^[A-Za-z0-9_-]{1,64}$/;
const MAX_BODY_BYTES = 1024;

/**
 * `POST /dev/token {"user": "demo"}` → `{"token", "expiresInS"}`: a signed short-lived token
 * for any user name, for the demo only. Off unless `devTokens` is set (the CLI warns when it
 * is); answered only to configured host origins (CORS preflight included), so another site
 * cannot mint tokens through a visitor's browser. Anyone who can reach the server with an
 * allowed Origin header can mint a token: never enable it where users are real.
 */
export function createDevTokenRoute(
  secret: string,
  allowsOrigin: (origin: string | undefined) => boolean,
): (req: IncomingMessage, res: ServerResponse) => Promise<number> {
  return async (req, res) => {
    const origin = req.headers.origin;
    if (!allowsOrigin(origin)) return send(res, 403, { error: 'origin not allowed' });
    res.setHeader('access-control-allow-origin', origin!);
    res.setHeader('vary', 'Origin');
    if (req.method === 'OPTIONS') {
      res.setHeader('access-control-allow-methods', 'POST');
      res.setHeader('access-control-allow-headers', 'content-type');
      res.setHeader('access-control-max-age', '600');
      res.writeHead(204).end();
      return 204;
    }
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST, OPTIONS');
      return send(res, 405, { error: 'method not allowed' });
    }
    const body = await readBody(req);
    if (body === undefined) return send(res, 413, { error: 'body too large' });
    let user: unknown;
    try {
      user = (JSON.parse(body) as { user?: unknown }).user;
    } catch {
      user = undefined;
    }
    if (typeof user !== 'string' || !USER_RE.test(user)) {
      return send(res, 400, { error: 'expected {"user": "<[A-Za-z0-9_-]{1,64}>"}' });
    }
    const token = await signToken(secret, user, DEV_TOKEN_TTL_S);
    return send(res, 200, { token, expiresInS: DEV_TOKEN_TTL_S });
  };
}

async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, status: number, body: unknown): number {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
  return status;
}
