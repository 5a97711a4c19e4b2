import * as z from 'zod/mini';

import { MsgIdSchema, SpaceIdSchema } from './server-wire.ts';
import { isTopic } from './topics.ts';
import { english } from './zod-english.ts';

/**
 * The HTTP API app backends use (docs/backends.md, "Queues" and "Publishing from a backend"):
 * pulling their queues and publishing into spaces, with the app's credential. Shared by the
 * server, which checks every body with these schemas, and the Node consumer client.
 */

/** The most deliveries one pull hands out. */
export const MAX_PULL = 100;
/** The longest a pull may wait for deliveries (under the server's 30 s request timeout). */
export const MAX_PULL_WAIT_MS = 20_000;
/** The most tokens one ack or nack names. */
export const MAX_ACK_TOKENS = 1_000;
/** The longest a nack may hold a delivery back: a day. */
export const MAX_NACK_DELAY_MS = 24 * 60 * 60 * 1000;

const Int = (min: number, max: number) => z.number().check(z.int(), z.gte(min), z.lte(max));
const DeliveryTokenSchema = z.string().check(z.minLength(1), z.maxLength(512));

/** `POST /queues/:app/:queue/pull`: up to `max` deliveries, waiting up to `waitMs` for one. */
export const PullRequestSchema = /* @__PURE__ */ english(
  z.strictObject({
    max: z._default(Int(1, MAX_PULL), 10),
    waitMs: z._default(Int(0, MAX_PULL_WAIT_MS), 0),
  }),
);
export type PullRequest = z.input<typeof PullRequestSchema>;

/** `POST /queues/:app/:queue/ack`: these deliveries are done. */
export const AckRequestSchema = /* @__PURE__ */ english(
  z.strictObject({
    tokens: z.array(DeliveryTokenSchema).check(z.minLength(1), z.maxLength(MAX_ACK_TOKENS)),
  }),
);
export type AckRequest = z.infer<typeof AckRequestSchema>;

/** `POST /queues/:app/:queue/nack`: hand these out again after `delayMs` (0: at once). */
export const NackRequestSchema = /* @__PURE__ */ english(
  z.strictObject({
    tokens: z.array(DeliveryTokenSchema).check(z.minLength(1), z.maxLength(MAX_ACK_TOKENS)),
    delayMs: z._default(Int(0, MAX_NACK_DELAY_MS), 0),
  }),
);
export type NackRequest = z.input<typeof NackRequestSchema>;

/**
 * A canvas event as backends receive it (server/delivery/types.ts `BackendEvent`): where,
 * from which app, by whom (a user on a device, or the app's backend), `data` as JSON text.
 */
export const BackendEventSchema = z.object({
  id: z.string().check(z.minLength(1), z.maxLength(128)),
  space: z.string(),
  app: z.string(),
  topic: z.string(),
  data: z.string(),
  by: z.object({
    user: z.optional(z.string()),
    device: z.optional(z.string()),
    backend: z.optional(z.literal(true)),
  }),
  time: z.number(),
});
export type BackendEventWire = z.infer<typeof BackendEventSchema>;

/**
 * One delivery of a pull: ack or nack it by `token` (opaque, valid for this queue only).
 * `deliveries` is 1 the first time; more means an earlier delivery was not acked in time
 * or was nacked. `id` is the event's id: the same event delivered twice has the same id.
 */
export const QueueDeliverySchema = z.object({
  id: z.string(),
  token: z.string(),
  deliveries: z.number(),
  event: BackendEventSchema,
});
export type QueueDelivery = z.infer<typeof QueueDeliverySchema>;

/** The answer to a pull. */
export const PullResponseSchema = /* @__PURE__ */ english(
  z.object({ deliveries: z.array(QueueDeliverySchema) }),
);
export type PullResponse = z.infer<typeof PullResponseSchema>;

/** `GET /queues/:app/:queue`: how far the app's consumers are behind. */
export const QueueInfoSchema = z.object({
  app: z.string(),
  queue: z.string(),
  /** Events not yet handed out. */
  backlog: z.number(),
  /** Handed out and not acked yet. */
  pending: z.number(),
  /** Events that ran out of deliveries, waiting for an admin. */
  deadLetters: z.number(),
  ackWaitMs: z.number(),
  maxDeliveries: z.number(),
});
export type QueueInfo = z.infer<typeof QueueInfoSchema>;

/** An event that ran out of deliveries (`GET /admin/queues/:app/:queue/dead-letters`). */
export const DeadLetterSchema = z.object({
  /** Names it for replay. */
  id: z.string(),
  deliveries: z.number(),
  /** When it was moved here (ms since the epoch). */
  deadAt: z.number(),
  /** `max-deliveries`, or `malformed` when the queued entry was not an event. */
  reason: z.string(),
  /** The event, or undefined when it was malformed (then `raw` holds the entry). */
  event: z.optional(BackendEventSchema),
  raw: z.optional(z.string()),
});
export type DeadLetter = z.infer<typeof DeadLetterSchema>;

/**
 * `POST /apps/:app/events`: a backend publishes an event of its own app into a space. `data`
 * is any JSON value (bounded like a widget's: depth, nodes, and 60 KiB as JSON text).
 */
export const BackendPublishSchema = /* @__PURE__ */ english(
  z.strictObject({
    space: SpaceIdSchema,
    topic: z.string().check(z.refine(isTopic, 'not a topic')),
    data: z.unknown(),
    /** Chosen by the backend: a resend with the same id within the dedup window is stored once. */
    id: MsgIdSchema,
  }),
);
export type BackendPublish = z.infer<typeof BackendPublishSchema>;

/** The answer to a backend's publish: where the event was stored (a resend names the first). */
export const BackendPublishedSchema = z.object({
  id: z.string(),
  epoch: z.string(),
  offset: z.number(),
  duplicate: z.boolean(),
});
export type BackendPublished = z.infer<typeof BackendPublishedSchema>;
