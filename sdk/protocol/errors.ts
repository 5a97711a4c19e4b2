/**
 * Every error code microcanvas raises. Codes are API: renaming one is a breaking change.
 * `docs/errors.md` has one entry per code.
 */
export const ERROR_CODES = {
  INVALID_ARGUMENT: 'INVALID_ARGUMENT',
  INVALID_MANIFEST: 'INVALID_MANIFEST',
  UNKNOWN_APP: 'UNKNOWN_APP',
  TOPIC_INVALID: 'TOPIC_INVALID',
  NOT_PERMITTED: 'NOT_PERMITTED',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  MALFORMED_MESSAGE: 'MALFORMED_MESSAGE',
  RATE_LIMITED: 'RATE_LIMITED',
  SUSPENDED: 'SUSPENDED',
  HANDSHAKE_TIMEOUT: 'HANDSHAKE_TIMEOUT',
  HANDSHAKE_REFUSED: 'HANDSHAKE_REFUSED',
  PROTOCOL_MISMATCH: 'PROTOCOL_MISMATCH',
  NOT_EMBEDDED: 'NOT_EMBEDDED',
  CALL_TIMEOUT: 'CALL_TIMEOUT',
  APP_DISCONNECTED: 'APP_DISCONNECTED',
  EVENTS_DROPPED: 'EVENTS_DROPPED',
  NOT_READY: 'NOT_READY',
  QUEUE_FULL: 'QUEUE_FULL',
  BROKER_UNAVAILABLE: 'BROKER_UNAVAILABLE',
  QUOTA_EXCEEDED: 'QUOTA_EXCEEDED',
  SERVICE_BUSY: 'SERVICE_BUSY',
  STORAGE_UNAVAILABLE: 'STORAGE_UNAVAILABLE',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  BACKEND_UNAVAILABLE: 'BACKEND_UNAVAILABLE',
  BACKEND_TIMEOUT: 'BACKEND_TIMEOUT',
  ADDRESS_REFUSED: 'ADDRESS_REFUSED',
} as const;

/** One of {@link ERROR_CODES}. */
export type ErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES];

/** How an error crosses a frame or worker boundary: never with a stack trace. */
export interface SerializedMcError {
  name: 'McError';
  code: ErrorCode;
  message: string;
}

// Built on first use, so bundles that never validate codes (the widget SDK) drop the list.
let knownCodes: Set<string> | undefined;

/** The one error class of microcanvas. Branch on `code`, never on `message`. */
export class McError extends Error {
  override readonly name = 'McError';
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

/** The wire form of an error: name, code and message only, never a stack. */
export function serializeError(error: McError): SerializedMcError {
  return { name: 'McError', code: error.code, message: error.message };
}

/** True when `value` is an error code this version knows. */
export function isErrorCode(value: unknown): value is ErrorCode {
  knownCodes ??= new Set(Object.keys(ERROR_CODES));
  return typeof value === 'string' && knownCodes.has(value);
}

/**
 * Rebuilds an McError from whatever came over a boundary. Unknown shapes become
 * `fallback` so a peer can never make us throw something that is not an McError.
 */
export function toMcError(value: unknown, fallback: ErrorCode = 'MALFORMED_MESSAGE'): McError {
  if (value instanceof McError) return value;
  if (typeof value === 'object' && value !== null) {
    const { code, message } = value as { code?: unknown; message?: unknown };
    const text = typeof message === 'string' ? message.slice(0, 500) : 'unknown error';
    if (isErrorCode(code)) return new McError(code, text);
    return new McError(fallback, text);
  }
  return new McError(fallback, String(value).slice(0, 500));
}
