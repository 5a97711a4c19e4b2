import type { ServerResponse } from 'node:http';

import { McError, type ErrorCode } from '../../sdk/protocol/errors.ts';

/** The HTTP status of each error code an HTTP route can answer with. */
const STATUS: Partial<Record<ErrorCode, number>> = {
  INVALID_ARGUMENT: 400,
  INVALID_MANIFEST: 400,
  MALFORMED_MESSAGE: 400,
  TOPIC_INVALID: 400,
  UNAUTHENTICATED: 401,
  NOT_PERMITTED: 403,
  NOT_FOUND: 404,
  UNKNOWN_APP: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  QUOTA_EXCEEDED: 429,
  STORAGE_UNAVAILABLE: 503,
  BACKEND_UNAVAILABLE: 502,
  ADDRESS_REFUSED: 502,
  CALL_TIMEOUT: 504,
  BACKEND_TIMEOUT: 504,
};

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): number {
  res.writeHead(status, { ...headers, 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
  return status;
}

/**
 * Answers `{"error": {"code", "message"}}`: an McError keeps its code (status from the
 * table, or `status`), anything else is logged by the caller and answered as a 500 without
 * details.
 */
export function sendError(res: ServerResponse, error: unknown, status?: number): number {
  if (res.headersSent) {
    res.destroy();
    return status ?? 500;
  }
  if (error instanceof McError) {
    const code = status ?? STATUS[error.code] ?? 400;
    return sendJson(res, code, { error: { code: error.code, message: error.message } });
  }
  return sendJson(res, 500, { error: { code: 'INTERNAL', message: 'internal error' } });
}
