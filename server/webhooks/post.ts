import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';

import type { AddressGuard } from '../gateway/address-guard.ts';

/** The most of a receiver's answer that is read (kept for the logs); the rest is dropped. */
const MAX_ANSWER_BYTES = 4 * 1024;

/** How one attempt ended: an HTTP status, or an error before any (network, timeout, refused). */
export type PostResult =
  | { readonly status: number; readonly headers: IncomingHttpHeaders; readonly answer: string }
  | { readonly status: undefined; readonly reason: FailureReason; readonly error: string };

/** Why an attempt got no HTTP answer. */
export type FailureReason = 'timeout' | 'network' | 'refused' | 'aborted';

/**
 * POSTs `body` to `url` once: no redirects followed (a 3xx is an answer like any other, so a
 * receiver cannot send the dispatcher elsewhere), only addresses the guard allows (checked
 * after DNS, on the address connected to), the whole exchange within `timeoutMs`, and at
 * most a few KiB of the answer read.
 */
export function postWebhook(
  url: URL,
  headers: Record<string, string>,
  body: string,
  options: { timeoutMs: number; guard: AddressGuard; signal?: AbortSignal },
): Promise<PostResult> {
  return new Promise((resolve) => {
    const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    // A literal address is connected to without a lookup: judged here.
    if (isIP(host) !== 0 && !options.guard.allows(host)) {
      resolve({ status: undefined, reason: 'refused', error: `address ${host} is not allowed` });
      return;
    }
    const bytes = Buffer.from(body, 'utf8');
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    let settled = false;
    const finish = (result: PostResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', abort);
      resolve(result);
    };
    const req = request(url, {
      method: 'POST',
      headers: { ...headers, 'content-length': String(bytes.length) },
      lookup: options.guard.lookup,
      // One connection per attempt: nothing pooled across endpoints or retries.
      agent: false,
    });
    const timer = setTimeout(() => {
      finish({
        status: undefined,
        reason: 'timeout',
        error: `no answer within ${options.timeoutMs} ms`,
      });
      req.destroy();
    }, options.timeoutMs);
    const abort = () => {
      finish({ status: undefined, reason: 'aborted', error: 'aborted' });
      req.destroy();
    };
    options.signal?.addEventListener('abort', abort, { once: true });
    req.on('error', (error: NodeJS.ErrnoException) =>
      finish({
        status: undefined,
        reason: error.code === 'ADDRESS_REFUSED' ? 'refused' : 'network',
        error: error.message,
      }),
    );
    // Once more on the address actually connected to, whatever resolved it.
    req.on('socket', (socket) =>
      socket.once('connect', () => {
        const peer = socket.remoteAddress;
        if (peer !== undefined && options.guard.allows(peer)) return;
        finish({ status: undefined, reason: 'refused', error: `address ${peer} is not allowed` });
        req.destroy();
      }),
    );
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        if (size < MAX_ANSWER_BYTES) chunks.push(chunk);
        size += chunk.length;
        // A receiver that streams an endless answer is cut once enough is seen.
        if (size > 64 * MAX_ANSWER_BYTES) res.destroy();
      });
      const done = () =>
        finish({
          status: res.statusCode ?? 0,
          headers: res.headers,
          answer: Buffer.concat(chunks).toString('utf8').slice(0, MAX_ANSWER_BYTES),
        });
      res.on('end', done);
      res.on('close', done);
      res.on('error', done);
    });
    req.end(bytes);
  });
}
