import { McError } from '../../sdk/protocol/errors.ts';
import {
  DEFAULT_DEDUP_WINDOW_MS,
  DEFAULT_NAMESPACE,
  DEFAULT_RETENTION,
  type EngineOptions,
  type Retention,
} from './types.ts';

/**
 * Names every engine can store as they are: NATS subjects and KV keys allow dots as token
 * separators and forbid spaces, `*`, `>` and most punctuation; Redis allows anything. The
 * common grammar keeps a name meaning the same thing on every engine.
 */
const NAME = /^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*$/;
const NAMESPACE = /^[A-Za-z0-9_-]{1,32}$/;
const NAME_MAX = 200;

/** Throws INVALID_ARGUMENT unless `name` is a key, stream, group or channel name. */
export function checkName(kind: string, name: string): void {
  if (typeof name !== 'string' || name.length > NAME_MAX || !NAME.test(name)) {
    throw new McError(
      'INVALID_ARGUMENT',
      `${kind} name must be dot-separated tokens of [A-Za-z0-9_-], at most ${NAME_MAX} characters`,
    );
  }
}

/** Throws INVALID_ARGUMENT unless `ms` is a positive whole number of milliseconds. */
export function checkMs(kind: string, ms: number): void {
  if (!Number.isSafeInteger(ms) || ms <= 0) {
    throw new McError('INVALID_ARGUMENT', `${kind} must be a positive whole number of ms`);
  }
}

/** Engine options with defaults filled in and checked. */
export interface ResolvedOptions {
  readonly namespace: string;
  readonly retention: Retention;
  readonly dedupWindowMs: number;
}

export function resolveOptions(options: EngineOptions = {}): ResolvedOptions {
  const namespace = options.namespace ?? DEFAULT_NAMESPACE;
  if (!NAMESPACE.test(namespace)) {
    throw new McError('INVALID_ARGUMENT', 'namespace must be 1–32 characters of [A-Za-z0-9_-]');
  }
  const retention = { ...DEFAULT_RETENTION, ...options.retention };
  checkMs('retention.maxAgeMs', retention.maxAgeMs);
  if (!Number.isSafeInteger(retention.maxLen) || retention.maxLen <= 0) {
    throw new McError('INVALID_ARGUMENT', 'retention.maxLen must be a positive whole number');
  }
  const dedupWindowMs = options.dedupWindowMs ?? DEFAULT_DEDUP_WINDOW_MS;
  checkMs('dedupWindowMs', dedupWindowMs);
  return { namespace, retention, dedupWindowMs };
}

/** A fresh epoch: random, so that two incarnations of a stream never share one. */
export function newEpoch(): string {
  return crypto.randomUUID();
}

/** The message of whatever was thrown, for logs and health reasons. */
export function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The most entries one read or consume call returns. */
export const READ_LIMIT_MAX = 10_000;

/** Throws INVALID_ARGUMENT unless `after` is an offset and `limit` a batch size. */
export function checkRead(after: number, limit: number): void {
  if (!Number.isSafeInteger(after) || after < 0) {
    throw new McError('INVALID_ARGUMENT', 'offset must be a whole number ≥ 0');
  }
  checkBatch(limit);
}

/** Throws INVALID_ARGUMENT unless the consume options are usable. */
export function checkConsume(options: { max: number; ackWaitMs: number }): void {
  checkBatch(options.max);
  checkMs('ackWaitMs', options.ackWaitMs);
}

function checkBatch(n: number): void {
  if (!Number.isSafeInteger(n) || n < 1 || n > READ_LIMIT_MAX) {
    throw new McError('INVALID_ARGUMENT', `batch size must be 1–${READ_LIMIT_MAX}`);
  }
}

/** The longest delay a nack may ask for: a week. */
export const NACK_DELAY_MAX_MS = 7 * 24 * 60 * 60 * 1000;

/** Throws INVALID_ARGUMENT unless `delayMs` is a whole number of ms within a week. */
export function checkDelay(delayMs: number): void {
  if (!Number.isSafeInteger(delayMs) || delayMs < 0 || delayMs > NACK_DELAY_MAX_MS) {
    throw new McError('INVALID_ARGUMENT', `delayMs must be a whole number 0–${NACK_DELAY_MAX_MS}`);
  }
}

/** Throws INVALID_ARGUMENT: `token` is not a delivery of this stream and group. */
export function badToken(): never {
  throw new McError('INVALID_ARGUMENT', 'not a delivery token of this stream and group');
}
