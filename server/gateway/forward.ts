import type { IncomingMessage, ServerResponse } from 'node:http';

import type { Logger } from 'pino';
import type { Agent } from 'undici';

import { McError } from '../../sdk/protocol/errors.ts';
import { BodyLimit, discardRest, tooLarge } from './body-limit.ts';
import type { GatewayMetrics } from './gateway-metrics.ts';
import { responseHeaders } from './headers.ts';

/** One request to forward, its headers already rewritten. */
export interface Forwarding {
  readonly agent: Agent;
  readonly app: string;
  readonly target: { readonly origin: string; readonly path: string };
  readonly headers: Record<string, string | string[]>;
  readonly maxBodyBytes: number;
  readonly requestTimeoutMs: number;
  readonly metrics: GatewayMetrics;
  readonly log: Logger;
}

/**
 * Sends `req` to the backend and its answer to `res`, both bodies streamed; resolves to the
 * status answered. Before the backend's headers, failures throw what the client is told:
 * PAYLOAD_TOO_LARGE (the body crossed the limit), BACKEND_TIMEOUT, BACKEND_UNAVAILABLE or
 * the guard's ADDRESS_REFUSED; after them, the response is cut and logged.
 */
export async function forward(
  req: IncomingMessage,
  res: ServerResponse,
  f: Forwarding,
): Promise<number> {
  const hasBody =
    req.headers['transfer-encoding'] !== undefined ||
    Number(req.headers['content-length'] ?? 0) > 0;
  const limit = hasBody ? new BodyLimit(f.maxBodyBytes) : undefined;
  if (limit !== undefined) {
    req.pipe(limit);
    req.once('error', (error) => limit.destroy(error));
  }
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new McError('BACKEND_TIMEOUT', 'the backend did not answer in time'));
  }, f.requestTimeoutMs);
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
    await f.agent.stream(
      {
        origin: f.target.origin,
        path: f.target.path,
        method: (req.method ?? 'GET') as 'GET',
        headers: f.headers,
        body: limit ?? null,
        signal: controller.signal,
      },
      ({ statusCode, headers }) => {
        f.metrics.upstream.observe({ app: f.app }, (performance.now() - started) / 1000);
        status = statusCode;
        res.writeHead(statusCode, responseHeaders(headers));
        return res;
      },
    );
    return status!;
  } catch (error) {
    if (status !== undefined) {
      // Headers are out: the client sees a cut body. Logged, not answered.
      if (!res.destroyed) res.destroy();
      if (!clientGone)
        f.log.warn({ app: f.app, err: String(error), timedOut }, 'response body cut');
      return status;
    }
    if (limit?.exceeded) {
      discardRest(req, res, limit);
      throw tooLarge(f.maxBodyBytes);
    }
    if (res.destroyed) return 499;
    throw upstreamError(f, error, timedOut);
  } finally {
    clearTimeout(timer);
    res.off('close', onClose);
  }
}

/** An undici or connect error as the gateway's answer: 502, 504, or the guard's refusal. */
function upstreamError(f: Forwarding, error: unknown, timedOut: boolean): McError {
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
  f.log.warn({ app: f.app, code: answer.code, cause: String(code ?? error) }, answer.message);
  return answer;
}
