/**
 * microcanvas/backend: what a Node app backend needs to trust the microcanvas server's
 * identity tokens (docs/backends.md, "Identity tokens"). jose and zod only: no engine, no
 * logger, no WebSocket library.
 */
export {
  createIdentityVerifier,
  type IdentityVerifier,
  type IdentityVerifierOptions,
} from './identity-verifier.ts';
export {
  ASSERTION_HEADER,
  createAssertionVerifier,
  type AssertedRequest,
  type AssertionClaims,
  type AssertionVerifier,
  type AssertionVerifierOptions,
} from './assertion-verifier.ts';
export { createReplayGuard, type ReplayGuard, type ReplayGuardOptions } from './replay-guard.ts';
export { IDENTITY_TOKEN_TYPE } from '../tokens/token-types.ts';
export type { IdentityClaims } from '../tokens/types.ts';
export { McError, type ErrorCode } from '../../sdk/protocol/errors.ts';
export { consume, type QueueConsumer, type QueueConsumerOptions } from './queue-consumer.ts';
export type { BackendEventWire as BackendEvent, QueueDelivery } from '../../sdk/protocol/queues.ts';
