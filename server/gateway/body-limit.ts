import type { IncomingMessage, ServerResponse } from 'node:http';
import { Transform, type TransformCallback } from 'node:stream';

import { McError } from '../../sdk/protocol/errors.ts';

/**
 * Passes a request body through chunk by chunk (nothing is buffered beyond the stream's own
 * high-water mark) and fails with PAYLOAD_TOO_LARGE at the chunk that takes it over
 * `maxBytes`: a chunked body without a length is cut there, mid-stream, and the forwarded
 * request is aborted with it.
 */
export class BodyLimit extends Transform {
  readonly #maxBytes: number;
  #bytes = 0;
  /** Set once the limit was crossed. */
  exceeded = false;

  constructor(maxBytes: number) {
    super();
    this.#maxBytes = maxBytes;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#bytes += chunk.length;
    if (this.#bytes > this.#maxBytes) {
      this.exceeded = true;
      callback(tooLarge(this.#maxBytes));
      return;
    }
    callback(null, chunk);
  }
}

/** The PAYLOAD_TOO_LARGE refusal of a body over `maxBytes`. */
export function tooLarge(maxBytes: number): McError {
  return new McError('PAYLOAD_TOO_LARGE', `the request body is over ${maxBytes} bytes`);
}

/** How long the rest of a refused body is read and dropped before the socket is cut. */
export const LINGER_MS = 2_000;

/**
 * After a 413, the client may still be sending. Cutting the socket at once would reset the
 * connection under it, and a client still writing could lose the 413 it had not read yet;
 * so the rest of the body is read and dropped (the connection stays usable if it ends), for
 * at most {@link LINGER_MS} after the answer, then the socket is cut.
 */
export function discardRest(req: IncomingMessage, res: ServerResponse, from?: Transform): void {
  if (from !== undefined) req.unpipe(from);
  req.resume();
  if (req.complete) return;
  res.once('finish', () => {
    if (req.complete) return;
    const timer = setTimeout(() => req.socket.destroy(), LINGER_MS);
    timer.unref();
    req.once('end', () => clearTimeout(timer));
    req.once('close', () => clearTimeout(timer));
  });
}
