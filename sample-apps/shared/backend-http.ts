import type { IncomingMessage, ServerResponse } from 'node:http';

/** What the sample backends share: small JSON helpers over node:http. */

export function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

/** The request body as text, at most `max` bytes (undefined beyond). */
export async function readText(req: IncomingMessage, max = 64 * 1024): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > max) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Sends heartbeats to the registry every `everyMs` (the app is healthy while they arrive). */
export function heartbeat(
  server: string,
  app: string,
  credential: string,
  everyMs = 10_000,
): () => void {
  const beat = () =>
    fetch(`${server}/registry/apps/${app}/heartbeat`, {
      method: 'POST',
      headers: { authorization: `Bearer ${credential}` },
    }).catch(() => undefined);
  void beat();
  const timer = setInterval(beat, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * CORS for the demo page's panel (`GET /stats`): the host origin only, never `*`, and never
 * for the API (that goes through the gateway).
 */
export function allowHostOrigin(req: IncomingMessage, res: ServerResponse, origin: string): void {
  if (req.headers.origin === origin) {
    res.setHeader('access-control-allow-origin', origin);
    res.setHeader('vary', 'Origin');
  }
}
