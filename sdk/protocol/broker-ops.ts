import * as z from 'zod/mini';

import { ERROR_CODES, type ErrorCode } from './errors.ts';
import { RequestId, StateSnapshotSchema, TopicField } from './wire.ts';
import { english } from './zod-english.ts';

/**
 * What the broker sends a client, the other direction of `wire.ts`: built by
 * {@link encodeBrokerOp} in the broker, read by the SDK's {@link decodeBrokerBatch}, whose
 * hand-written guard has these schemas' type (test/types/protocol.types.ts). Nothing parses
 * with these schemas at run time but tests (the client trusts its broker, and the SDK carries
 * no zod), so the protocol's entry exports only their types: the host page does not carry
 * them.
 */

// Broker → client objects are not strict: the receiver is the broker's own client, and a key
// it does not know is ignored (zod strips it; the SDK's guard never reads it).

/** An event, delivered to each subscriber whose pattern matches; the broker stamps `source`. */
export const EventOpSchema = z.object({
  op: z.literal('evt'),
  topic: TopicField,
  source: z.string(),
  data: z.optional(z.unknown()),
});
export type EventOp = z.infer<typeof EventOpSchema>;
/** A watched app's public state: the snapshot on `watch`, then each new version. */
export const StateOpSchema = z.object({
  op: z.literal('state'),
  /** The `watch` request this answers. */
  id: RequestId,
  ...StateSnapshotSchema.shape,
});
export type StateOp = z.infer<typeof StateOpSchema>;
/** A request succeeded; `get` carries the snapshot as `value`. */
export const OkOpSchema = z.object({
  op: z.literal('ok'),
  id: RequestId,
  value: z.optional(z.unknown()),
});
export type OkOp = z.infer<typeof OkOpSchema>;
/** A refusal: of the request `id`, or (without one) of something sent earlier. */
export const ErrOpSchema = z.object({
  op: z.literal('err'),
  id: z.optional(RequestId),
  code: z.enum(Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]]),
  message: z.string(),
  /** The topic of a refused publish. */
  topic: z.optional(z.string()),
  /**
   * The refused operation, as the SDK spells it (`McError.operation`); the same list as
   * `RefusedOperation` in errors.ts (a type test holds them equal).
   */
  operation: z.optional(z.enum(['publish', 'subscribe', 'state.get', 'state.watch', 'call'])),
  /** Its target: topic, pattern or app id (`McError.target`). */
  target: z.optional(z.string()),
});
export type ErrOp = z.infer<typeof ErrOpSchema>;
/** Events dropped for this client because it fell behind. */
export const GapOpSchema = z.object({
  op: z.literal('gap'),
  dropped: z.number().check(z.int(), z.positive(), z.maximum(Number.MAX_SAFE_INTEGER)),
});
export type GapOp = z.infer<typeof GapOpSchema>;

/** Everything the broker sends to a client. */
export const BrokerOpSchema = /* @__PURE__ */ english(
  z.discriminatedUnion('op', [EventOpSchema, StateOpSchema, OkOpSchema, ErrOpSchema, GapOpSchema]),
);
export type BrokerOp = z.infer<typeof BrokerOpSchema>;
