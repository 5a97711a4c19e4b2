import type { IncomingMessage } from 'node:http';

import { McError } from '../../sdk/protocol/errors.ts';

/** Default bound of a JSON request body. */
export const MAX_JSON_BYTES = 256 * 1024;

/**
 * The request's body parsed as JSON, read up to `maxBytes` (PAYLOAD_TOO_LARGE beyond, without
 * reading the rest); INVALID_ARGUMENT when it is not JSON or not `application/json`.
 * Callers check the shape with a schema.
 */
export async function readJson(
  req: IncomingMessage,
  maxBytes: number = MAX_JSON_BYTES,
): Promise<unknown> {
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/json\s*(?:;|$)/i.test(type)) {
    throw new McError('INVALID_ARGUMENT', 'the body must be application/json');
  }
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > maxBytes) {
    throw new McError('PAYLOAD_TOO_LARGE', `the body is over ${maxBytes} bytes`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) {
      throw new McError('PAYLOAD_TOO_LARGE', `the body is over ${maxBytes} bytes`);
    }
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new McError('INVALID_ARGUMENT', 'the body is not JSON');
  }
}
