/**
 * Every error code microcanvas raises. Codes are API: renaming one is a breaking change.
 * `docs/errors.md` has one entry per code.
 */
const CODES = [
  'INVALID_ARGUMENT',
  'INVALID_MANIFEST',
  'UNKNOWN_APP',
  'TOPIC_INVALID',
  'NOT_PERMITTED',
  'PAYLOAD_TOO_LARGE',
  'MALFORMED_MESSAGE',
  'RATE_LIMITED',
  'SUSPENDED',
  'HANDSHAKE_TIMEOUT',
  'HANDSHAKE_REFUSED',
  'PROTOCOL_MISMATCH',
  'NOT_EMBEDDED',
  'CALL_TIMEOUT',
  'APP_DISCONNECTED',
  'EVENTS_DROPPED',
  'BROKER_UNAVAILABLE',
] as const;

/** One of {@link ERROR_CODES}. */
export type ErrorCode = (typeof CODES)[number];

/** Every code, keyed by itself, for `switch`-free comparisons: `ERROR_CODES.NOT_PERMITTED`. */
export const ERROR_CODES = /* @__PURE__ */ Object.freeze(
  Object.fromEntries(CODES.map((code) => [code, code])) as { [K in ErrorCode]: K },
);

/** How an error crosses a frame or worker boundary: never with a stack trace. */
export interface SerializedMcError {
  name: 'McError';
  code: ErrorCode;
  message: string;
}

const KNOWN_CODES = new Set<string>(CODES);

/** The one error class of microcanvas. Branch on `code`, never on `message`. */
export class McError extends Error {
  override readonly name = 'McError';
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string) {
    super(message);
    this.code = code;
  }

  /** The wire form: name, code and message only. */
  toJSON(): SerializedMcError {
    return { name: 'McError', code: this.code, message: this.message };
  }
}

/** True when `value` is an error code this version knows. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && KNOWN_CODES.has(value);
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
