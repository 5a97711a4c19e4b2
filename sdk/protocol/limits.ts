import type { AppLimits } from './manifest.ts';

/** Default largest serialized event or state value. */
export const MAX_MESSAGE_BYTES = 64 * 1024;

/** The defaults applied when a manifest says nothing (THREATS.md). */
export const DEFAULT_LIMITS: Readonly<AppLimits> = /* @__PURE__ */ Object.freeze({
  maxMessageBytes: MAX_MESSAGE_BYTES,
  maxDepth: 32,
  maxNodes: 10_000,
  eventsPerSecond: 100,
  burst: 500,
  bytesPerSecond: 1024 * 1024,
  maxSubscriptions: 64,
});

/** Largest single port message (one batch) the broker will read, checked before parsing. */
export const MAX_BATCH_BYTES = 1024 * 1024;

/** Most operations in one batch. */
export const MAX_OPS_PER_BATCH = 1024;

/**
 * How long a dialog stays open unanswered: a person answers it, which can take minutes.
 * The SDK waits this long; the host then closes the dialog as cancelled.
 */
export const MODAL_TIMEOUT_MS = 600_000;
