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
  CALL_FAILED: 'CALL_FAILED',
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

/**
 * The operations a refusal names, as the SDK's API spells them: `publish`, `subscribe`,
 * `state.get`, `state.watch` (broker requests) and `call` (a host service method).
 */
export type RefusedOperation = 'publish' | 'subscribe' | 'state.get' | 'state.watch' | 'call';

/** What a refusal of one operation names: the operation and its target. */
export interface Refusal {
  /** The refused operation. */
  operation?: RefusedOperation | undefined;
  /** Its target: a topic, a pattern, an app id or a service method. */
  target?: string | undefined;
}

/**
 * What a denial says after naming what it refuses, e.g. `publish "todo.item.deleted": not
 * permitted or does not exist`: the same words whether the target is forbidden or does not
 * exist (ARCHITECTURE.md).
 */
export const DENIED = 'not permitted or does not exist';

/** A refusal's message: the operation and its target, then why (`publish "a.b.c": …`). */
export function refusalMessage(operation: RefusedOperation, target: string, why: string): string {
  return `${operation} ${JSON.stringify(target)}: ${why}`;
}

/** The one error class of microcanvas. Branch on `code`, never on `message`. */
export class McError extends Error {
  override readonly name = 'McError';
  readonly code: ErrorCode;
  /**
   * For a refusal of one operation (`NOT_PERMITTED`, and others the broker or host answers to
   * one request or publish): which operation was refused. Absent otherwise.
   */
  readonly operation?: RefusedOperation;
  /** With {@link operation}: its target (topic, pattern, app id or method). */
  readonly target?: string;

  constructor(code: ErrorCode, message: string, refusal?: Refusal) {
    super(message);
    this.code = code;
    if (refusal?.operation) {
      this.operation = refusal.operation;
      this.target = refusal.target;
    }
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
