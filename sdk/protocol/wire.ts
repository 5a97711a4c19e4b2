import * as z from 'zod/mini';

import { isAppId, isPattern, isTopic, type Topic, type TopicPattern } from './topics.ts';
import { english } from './zod-english.ts';

/**
 * Messages on the private port between a client (a widget's SDK, or the host page) and the
 * broker, in both directions. Each port message is one JSON string holding an array of
 * operations: what one side does in one turn travels as one message (see
 * docs/decisions/0002-batching.md and sdk/protocol/outbox.ts).
 *
 * - client → broker: {@link ClientOp}, built by the SDK's `Client`, read by the broker's one
 *   decoder (`shell/broker/decode.ts`: {@link guardHotOp} for `pub` and `ack`, then
 *   {@link ClientOpSchema}). Objects are strict: a field that claims identity (`source`,
 *   `appId`, …) is refused.
 * - broker → client: `BrokerOp` (`broker-ops.ts`), built by `encodeBrokerOp`, read by the
 *   SDK's one decoder (`decodeBrokerBatch`, a hand-written guard with the schema's type).
 *
 * Docs: docs/decisions/0007-typed-protocol.md.
 */

/** A request's id, chosen by the client. */
export const RequestId = z
  .number()
  .check(z.int(), z.nonnegative(), z.maximum(Number.MAX_SAFE_INTEGER));
/**
 * A topic, typed as the grammar's template literal (`Topic`); `isTopic` is the check.
 * (`z.templateLiteral` would type it too, at half a KiB of the host page's bundle.)
 */
export const TopicField = z.custom<Topic>(isTopic, 'not a topic');
const PatternField = z.custom<TopicPattern>(isPattern, 'not a topic pattern');
const AppIdField = z.string().check(z.refine(isAppId, 'not an app id'));

/** Publish an event; the broker stamps the source. */
export const PublishOpSchema = z.strictObject({
  op: z.literal('pub'),
  topic: TopicField,
  data: z.optional(z.unknown()),
});
export type PublishOp = z.infer<typeof PublishOpSchema>;
/** Subscribe to a pattern; answered by `ok` or `err` with the same id. */
export const SubscribeOpSchema = z.strictObject({
  op: z.literal('sub'),
  id: RequestId,
  pattern: PatternField,
});
/** End a subscription or a watch. */
export const CancelOpSchema = z.strictObject({ op: z.literal('cancel'), id: RequestId });
/** Replace this app's public state. */
export const SetStateOpSchema = z.strictObject({ op: z.literal('set'), value: z.unknown() });
/** Read another app's public state once. */
export const GetStateOpSchema = z.strictObject({
  op: z.literal('get'),
  id: RequestId,
  app: AppIdField,
});
/** Watch another app's public state: a snapshot, then every new version. */
export const WatchStateOpSchema = z.strictObject({
  op: z.literal('watch'),
  id: RequestId,
  app: AppIdField,
});

/** Flow control: the client processed `n` operations the broker sent it. */
export const AckOpSchema = z.strictObject({
  op: z.literal('ack'),
  n: z.number().check(z.int(), z.positive(), z.maximum(1_000_000)),
});
export type AckOp = z.infer<typeof AckOpSchema>;

/** Everything a client may send to the broker. */
export const ClientOpSchema = /* @__PURE__ */ english(
  z.discriminatedUnion('op', [
    PublishOpSchema,
    SubscribeOpSchema,
    CancelOpSchema,
    SetStateOpSchema,
    GetStateOpSchema,
    WatchStateOpSchema,
    AckOpSchema,
  ]),
);
export type ClientOp = z.infer<typeof ClientOpSchema>;

/** A snapshot of one app's public state. Version 0 means "never set". */
export const StateSnapshotSchema = z.strictObject({
  app: z.string(),
  version: z.number().check(z.int(), z.nonnegative()),
  value: z.unknown(),
});
export type StateSnapshot = z.infer<typeof StateSnapshotSchema>;
