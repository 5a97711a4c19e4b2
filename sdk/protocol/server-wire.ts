import * as z from 'zod/mini';

import { McError } from './errors.ts';
import { checkBounds } from './bounds.ts';
import { isAppId, isTopic } from './topics.ts';
import { english } from './zod-english.ts';

/**
 * The WebSocket protocol between a host page (the shell's server client) and the microcanvas
 * server (server/transport/): JSON text frames discriminated by `t`. docs/server.md describes
 * the protocol; this file is its source of truth.
 *
 * - Upgrade: `GET /ws?device=<id>`, subprotocols offered `[SERVER_SUBPROTOCOL, 'auth.' + jwt]`
 *   (browsers cannot set headers); the server answers {@link SERVER_SUBPROTOCOL}.
 * - Requests carry a client-chosen `id` and get exactly one reply with the same `id`
 *   (`snapshot`, `ack`, `pong`, or `error`).
 * - client → server objects are strict (an unknown field is refused); server → client objects
 *   are read loosely (unknown fields are dropped), so that a newer server may add fields.
 *
 * Not imported by the SDK (widgets) nor by the shell's start-up code: the shell loads it
 * lazily with its server client.
 */

/** Version of this protocol; the WebSocket subprotocol names it. */
export const SERVER_PROTOCOL_VERSION = 1;
/** The subprotocol the client offers and the server answers. */
export const SERVER_SUBPROTOCOL = `microcanvas.${SERVER_PROTOCOL_VERSION}`;
/** Prefix of the subprotocol that carries the client's token: `auth.<jwt>`. */
export const AUTH_SUBPROTOCOL_PREFIX = 'auth.';
/** The path of the WebSocket endpoint. */
export const SERVER_WS_PATH = '/ws';

/** Largest client frame the server reads (UTF-8 bytes), checked before parsing. */
export const SERVER_MAX_FRAME_BYTES = 64 * 1024;
/** Largest server frame the client reads: a snapshot of a full canvas fits. */
export const CLIENT_MAX_FRAME_BYTES = 4 * 1024 * 1024;
/** Deepest nesting of a frame (a widget's `config` included). */
export const SERVER_MAX_DEPTH = 32;
/** Most values (array items plus object keys) in one frame. */
export const SERVER_MAX_NODES = 10_000;
/**
 * Deepest nesting of a server frame. A `changed` or `snapshot` carries a `config` at the
 * depth an `edit` had it; the margin keeps what the server accepted readable by every client.
 */
export const CLIENT_MAX_DEPTH = SERVER_MAX_DEPTH + 8;
/**
 * Most values in one server frame: a snapshot carries every slot's config, each of which may
 * hold up to {@link SERVER_MAX_NODES}, so the bound is the byte bound's (a value takes at
 * least two bytes), not a client frame's. A tighter one would let one member's large config
 * make the space's snapshot unreadable for everyone.
 */
export const CLIENT_MAX_NODES = CLIENT_MAX_FRAME_BYTES / 2;
/** Frames per second a connection may send on average (token bucket refill). */
export const SERVER_RATE_PER_SEC = 50;
/** Frames a connection may send at once (token bucket size). */
export const SERVER_RATE_BURST = 100;
/** Most operations in one `edit`. */
export const MAX_OPS_PER_EDIT = 64;
/** Most live slots in one space's canvas. */
export const MAX_SLOTS_PER_SPACE = 256;
/** Most spaces one connection has joined at once. */
export const MAX_JOINED_SPACES = 16;
/** Default interval of heartbeats (server ws pings; clients should ping at this pace too). */
export const DEFAULT_HEARTBEAT_MS = 15_000;
/** Default sliding time-to-live of a space and its canvas: 24 h after the last write. */
export const DEFAULT_SPACE_TTL_MS = 24 * 60 * 60 * 1000;

const TOKEN_RE = /^[A-Za-z0-9_-]+$/;
/** A space id: 1–64 of `[A-Za-z0-9_-]` (it is part of storage keys). */
export const SpaceIdSchema = z
  .string()
  .check(z.minLength(1), z.maxLength(64), z.regex(TOKEN_RE, 'not a space id'));
/** A device id, chosen at random by the client: 8–64 of `[A-Za-z0-9_-]`. */
export const DeviceIdSchema = z
  .string()
  .check(z.minLength(8), z.maxLength(64), z.regex(TOKEN_RE, 'not a device id'));
/** A slot id, as the shell makes them (`slot-1a2b3c4d`, `todo-1`). */
export const SlotIdSchema = z
  .string()
  .check(z.minLength(1), z.maxLength(128), z.regex(/^[A-Za-z0-9_.:-]+$/, 'not a slot id'));

/** A request id, a revision: a non-negative safe integer. */
const Count = z.number().check(z.int(), z.nonnegative(), z.maximum(Number.MAX_SAFE_INTEGER));
const Coord = z.number().check(z.refine(Number.isFinite, 'not a finite number'));
const Size = z.number().check(z.refine(Number.isFinite, 'not a finite number'), z.nonnegative());

/** Where a widget sits, as in the shell's `Placement` (without the slot id). */
export const SlotFieldsSchema = z.strictObject({
  app: z.string().check(z.refine(isAppId, 'not an app id')),
  x: Coord,
  y: Coord,
  width: Size,
  height: Size,
  /** Per-widget configuration (JSON); bounded by the frame's size and depth. */
  config: z.optional(z.unknown()),
});
export type SlotFields = z.infer<typeof SlotFieldsSchema>;
/** The names of a slot's fields, each with a revision of its own on the server. */
export const SLOT_FIELDS = ['app', 'x', 'y', 'width', 'height', 'config'] as const;
export type SlotField = (typeof SLOT_FIELDS)[number];
const SlotFieldNameSchema = z.enum(SLOT_FIELDS);

/**
 * One change of one slot. `base` is the slot revision the client last saw (0: the client
 * believes the slot is new). Exactly one of `set` (some fields; creating a slot needs
 * `app`, `x`, `y`, `width` and `height`) or `remove`.
 */
export const SlotOpSchema = z
  .strictObject({
    slot: SlotIdSchema,
    base: Count,
    set: z.optional(z.partial(SlotFieldsSchema)),
    remove: z.optional(z.literal(true)),
  })
  .check(
    z.refine(
      (op) => (op.set === undefined) !== (op.remove === undefined),
      'an op has exactly one of set or remove',
    ),
  );
export type SlotOp = z.infer<typeof SlotOpSchema>;

// ---------------------------------------------------------------- client → server

/** Join a space: answered by `snapshot`, then `changed` pushes until `leave`. */
export const JoinFrameSchema = z.strictObject({
  t: z.literal('join'),
  id: Count,
  space: SpaceIdSchema,
});
/** Stop the pushes of a space. No reply. */
export const LeaveFrameSchema = z.strictObject({ t: z.literal('leave'), space: SpaceIdSchema });
/** Apply ops to a space's canvas, atomically and in order: answered by `ack` or `error`. */
export const EditFrameSchema = z.strictObject({
  t: z.literal('edit'),
  id: Count,
  space: SpaceIdSchema,
  ops: z.array(SlotOpSchema).check(z.minLength(1), z.maxLength(MAX_OPS_PER_EDIT)),
});
/** Application-level heartbeat: answered by `pong`. */
export const PingFrameSchema = z.strictObject({ t: z.literal('ping'), id: Count });

// Event sync (docs/decisions/0016-event-sync.md): one stream per space, offsets within an
// epoch, resume by offset. `data` travels as JSON text, as on the broker's ports: its size
// is its length, and the server relays it without parsing.

/** Largest event or public state value (JSON text, UTF-16 units), under the frame bound. */
export const MAX_EVENT_DATA = 60 * 1024;
/** Most public states a space keeps (one per app that syncs its state). */
export const MAX_SYNCED_STATES = 32;
/** A message id chosen by the client: a resend with the same id is stored once. */
export const MsgIdSchema = z
  .string()
  .check(z.minLength(8), z.maxLength(64), z.regex(TOKEN_RE, 'not a message id'));
const AppField = z.string().check(z.refine(isAppId, 'not an app id'));
const EventData = z.string().check(z.maxLength(MAX_EVENT_DATA));
/** Where a follower is in a stream: the last offset it received, within `epoch`. */
export const StreamPositionSchema = z.object({ epoch: z.string(), offset: Count });
export type StreamPosition = z.infer<typeof StreamPositionSchema>;

/**
 * Publish an event of `app` (checked and stamped by the host's broker), or without `topic`
 * its public state. The topic must be in the app's namespace. Answered by `published`.
 */
export const PublishFrameSchema = z.strictObject({
  t: z.literal('publish'),
  id: Count,
  space: SpaceIdSchema,
  msgId: MsgIdSchema,
  app: AppField,
  topic: z.optional(z.string().check(z.refine(isTopic, 'not a topic'))),
  data: EventData,
});
/**
 * Follow a space's events: answered by `resumed`, then `event` pushes (the missed ones first
 * when `from` is within retention) until `unfollow`.
 */
export const FollowFrameSchema = z.strictObject({
  t: z.literal('follow'),
  id: Count,
  space: SpaceIdSchema,
  from: z.optional(z.strictObject({ epoch: z.string().check(z.maxLength(64)), offset: Count })),
});
/** Stop the event pushes of a space. No reply. */
export const UnfollowFrameSchema = z.strictObject({
  t: z.literal('unfollow'),
  space: SpaceIdSchema,
});

/** Everything a client may send. (More members come with event sync: keep switches open.) */
export const ClientFrameSchema = /* @__PURE__ */ english(
  z.discriminatedUnion('t', [
    JoinFrameSchema,
    LeaveFrameSchema,
    EditFrameSchema,
    PingFrameSchema,
    PublishFrameSchema,
    FollowFrameSchema,
    UnfollowFrameSchema,
  ]),
);
export type ClientFrame = z.infer<typeof ClientFrameSchema>;
export type JoinFrame = z.infer<typeof JoinFrameSchema>;
export type LeaveFrame = z.infer<typeof LeaveFrameSchema>;
export type EditFrame = z.infer<typeof EditFrameSchema>;
export type PingFrame = z.infer<typeof PingFrameSchema>;
export type PublishFrame = z.infer<typeof PublishFrameSchema>;
export type FollowFrame = z.infer<typeof FollowFrameSchema>;
export type UnfollowFrame = z.infer<typeof UnfollowFrameSchema>;

// ---------------------------------------------------------------- server → client

/** Who made a change: stamped by the server from the connection, never from the frame. */
export const AuthorSchema = z.object({ user: z.string(), device: z.string() });
export type Author = z.infer<typeof AuthorSchema>;
/** An event published by the app's backend (its app is the event's `app`), not by a user. */
export const BackendAuthorSchema = z.object({ backend: z.literal(true) });
/** Who published an event: a user on a device, or the app's backend; stamped by the server. */
export const EventAuthorSchema = z.union([AuthorSchema, BackendAuthorSchema]);
export type EventAuthor = z.infer<typeof EventAuthorSchema>;

/** A live slot in a snapshot: its fields and its revision (the `base` for the next op). */
export const SlotStateSchema = z.object({
  slot: z.string(),
  rev: Count,
  fields: z.looseObject({
    app: z.string(),
    x: z.number(),
    y: z.number(),
    width: z.number(),
    height: z.number(),
    config: z.optional(z.unknown()),
  }),
});
export type SlotState = z.infer<typeof SlotStateSchema>;

/**
 * What one edit did to one slot: the fields written (with their values) or its removal.
 * `rev` is the slot's new revision (the space's `rev` of that edit).
 */
export const SlotChangeSchema = z.object({
  slot: z.string(),
  rev: Count,
  set: z.optional(z.partial(SlotStateSchema.shape.fields)),
  removed: z.optional(z.literal(true)),
});
export type SlotChange = z.infer<typeof SlotChangeSchema>;

/**
 * Fields of one slot that an edit asked for but did not get: the slot was removed by a
 * write the client had not seen (its op's `base` predates the removal). Remove wins.
 */
export const LostFieldSchema = z.object({
  slot: z.string(),
  fields: z.array(SlotFieldNameSchema),
});
export type LostField = z.infer<typeof LostFieldSchema>;

const Limits = z.object({ maxFrameBytes: Count, ratePerSec: Count });

/** First frame after the upgrade: who the server says the client is, and its limits. */
export const WelcomeFrameSchema = z.object({
  t: z.literal('welcome'),
  v: z.number(),
  user: z.string(),
  device: z.string(),
  heartbeatMs: Count,
  limits: Limits,
});
/** Reply to `join`: the whole live canvas at revision `rev`. */
export const SnapshotFrameSchema = z.object({
  t: z.literal('snapshot'),
  id: Count,
  space: z.string(),
  rev: Count,
  slots: z.array(SlotStateSchema),
});
/** Reply to `edit`: stored (the ack comes only after the engine write) at revision `rev`. */
export const AckFrameSchema = z.object({
  t: z.literal('ack'),
  id: Count,
  rev: Count,
  lost: z.array(LostFieldSchema),
});
/** Reply to `ping`. */
export const PongFrameSchema = z.object({ t: z.literal('pong'), id: Count });
/**
 * An accepted edit, pushed to every connection that joined the space (the author's too).
 * `rev` grows by exactly one per edit: a client that sees a jump missed a push and should
 * join again for a snapshot.
 */
export const ChangedFrameSchema = z.object({
  t: z.literal('changed'),
  space: z.string(),
  rev: Count,
  slots: z.array(SlotChangeSchema),
  by: AuthorSchema,
});
/**
 * This device's earlier write of `fields` of `slot` was overwritten (or removed) by a later
 * write, `by`, that had not seen it (its op's `base` predates this device's write).
 */
export const LostFrameSchema = z.object({
  t: z.literal('lost'),
  space: z.string(),
  slot: z.string(),
  fields: z.array(SlotFieldNameSchema),
  by: AuthorSchema,
});
/**
 * A refusal: of the request `id`; or, with `space` and no id, the end of that space's pushes
 * (the user was removed from it, or it is gone): NOT_FOUND, as a join would get; or of the
 * connection's frames in general (RATE_LIMITED).
 */
export const ErrorFrameSchema = z.object({
  t: z.literal('error'),
  id: z.optional(Count),
  space: z.optional(z.string()),
  code: z.string(),
  message: z.string(),
});
/**
 * Sent just before the server cuts the connection: `slow-reader`, `flood`, `shutdown`,
 * `token-expired` (reconnect with a fresh token), see {@link GAP_REASONS}.
 */
export const GapFrameSchema = z.object({ t: z.literal('gap'), reason: z.string() });

/** Reply to `publish`: stored at `offset` within `epoch` (a resend names the first copy). */
export const PublishedFrameSchema = z.object({
  t: z.literal('published'),
  id: Count,
  epoch: z.string(),
  offset: Count,
});
/** One app's public state, as a space keeps it. */
export const SyncedStateSchema = z.object({ app: z.string(), data: z.string() });
/**
 * Reply to `follow` (with its `id`), or a push without one when the stream's history was
 * lost while following. `recovered`: every event after `from` follows; false when `from`
 * was beyond retention or of another epoch (or absent): then `states` holds the space's
 * public states, and widgets should be told they missed events. `epoch`/`offset`: where the
 * stream is now.
 */
export const ResumedFrameSchema = z.object({
  t: z.literal('resumed'),
  id: z.optional(Count),
  space: z.string(),
  recovered: z.boolean(),
  epoch: z.string(),
  offset: Count,
  states: z.optional(z.array(SyncedStateSchema)),
});
/**
 * An event (or, without `topic`, a public state) of a followed space, in offset order, the
 * follower's own included. `app` was stamped by the publishing host's broker (or is the
 * backend's own app), `by` by the server; the receiving broker checks `app`'s rights again.
 */
export const EventFrameSchema = z.object({
  t: z.literal('event'),
  space: z.string(),
  epoch: z.string(),
  offset: Count,
  msgId: z.string(),
  app: z.string(),
  topic: z.optional(z.string()),
  data: z.string(),
  by: EventAuthorSchema,
});

/** Everything the server may send. (More members come with event sync.) */
export const ServerFrameSchema = /* @__PURE__ */ english(
  z.discriminatedUnion('t', [
    WelcomeFrameSchema,
    SnapshotFrameSchema,
    AckFrameSchema,
    PongFrameSchema,
    ChangedFrameSchema,
    LostFrameSchema,
    ErrorFrameSchema,
    GapFrameSchema,
    PublishedFrameSchema,
    ResumedFrameSchema,
    EventFrameSchema,
  ]),
);
export type ServerFrame = z.infer<typeof ServerFrameSchema>;
export type WelcomeFrame = z.infer<typeof WelcomeFrameSchema>;
export type SnapshotFrame = z.infer<typeof SnapshotFrameSchema>;
export type AckFrame = z.infer<typeof AckFrameSchema>;
export type PongFrame = z.infer<typeof PongFrameSchema>;
export type ChangedFrame = z.infer<typeof ChangedFrameSchema>;
export type LostFrame = z.infer<typeof LostFrameSchema>;
export type ErrorFrame = z.infer<typeof ErrorFrameSchema>;
export type GapFrame = z.infer<typeof GapFrameSchema>;
export type PublishedFrame = z.infer<typeof PublishedFrameSchema>;
export type ResumedFrame = z.infer<typeof ResumedFrameSchema>;
export type EventFrame = z.infer<typeof EventFrameSchema>;
export type SyncedState = z.infer<typeof SyncedStateSchema>;

/** Why the server cuts a connection, in `gap.reason`. */
export const GAP_REASONS = [
  'slow-reader',
  'flood',
  'shutdown',
  'heartbeat',
  'token-expired',
] as const;

// ---------------------------------------------------------------- decoding

/**
 * A decoded frame, or why not: `PAYLOAD_TOO_LARGE` (over the byte bound, not parsed) or
 * `MALFORMED_MESSAGE` (not JSON, too deep, too many values, not a known frame). `id` is the
 * request id when one could be read, so that a refusal can answer the request.
 */
export type DecodeResult<F> =
  | { readonly ok: true; readonly frame: F }
  | { readonly ok: false; readonly error: McError; readonly id: number | undefined };

/** Decodes a frame a client sent; never throws. */
export function decodeClientFrame(text: string): DecodeResult<ClientFrame> {
  return decodeFrame(
    text,
    SERVER_MAX_FRAME_BYTES,
    SERVER_MAX_DEPTH,
    SERVER_MAX_NODES,
    ClientFrameSchema,
  );
}

/** Decodes a frame the server sent; never throws. */
export function decodeServerFrame(text: string): DecodeResult<ServerFrame> {
  return decodeFrame(
    text,
    CLIENT_MAX_FRAME_BYTES,
    CLIENT_MAX_DEPTH,
    CLIENT_MAX_NODES,
    ServerFrameSchema,
  );
}

function decodeFrame<F>(
  text: string,
  maxBytes: number,
  maxDepth: number,
  maxNodes: number,
  schema: z.ZodMiniType<F>,
): DecodeResult<F> {
  if (typeof text !== 'string') return fail('MALFORMED_MESSAGE', 'not a text frame');
  if (utf8Length(text, maxBytes) > maxBytes) {
    return fail('PAYLOAD_TOO_LARGE', `frame larger than ${maxBytes} bytes`);
  }
  // Nesting is measured on the text, before JSON.parse builds anything.
  if (nestingOf(text, maxDepth) > maxDepth) {
    return fail('MALFORMED_MESSAGE', `frame nested deeper than ${maxDepth}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return fail('MALFORMED_MESSAGE', 'frame is not JSON');
  }
  const id = requestIdOf(value);
  const bound = checkBounds(value, maxDepth, maxNodes);
  if (bound !== null) return fail('MALFORMED_MESSAGE', `frame breaks the ${bound} bound`, id);
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
    return fail('MALFORMED_MESSAGE', `${issue?.message ?? 'invalid frame'}${where}`, id);
  }
  return { ok: true, frame: parsed.data };
}

function fail(
  code: 'PAYLOAD_TOO_LARGE' | 'MALFORMED_MESSAGE',
  message: string,
  id?: number,
): DecodeResult<never> {
  return { ok: false, error: new McError(code, message), id };
}

/** The frame's `id` when it is a request id, so a refusal can name the request. */
function requestIdOf(value: unknown): number | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const id = (value as { id?: unknown }).id;
  return Number.isSafeInteger(id) && (id as number) >= 0 ? (id as number) : undefined;
}

/** UTF-8 length of `text`, counted only as far as needed to know it exceeds `max`. */
function utf8Length(text: string, max: number): number {
  if (text.length > max) return text.length; // every UTF-16 unit is ≥ 1 byte
  if (text.length * 3 <= max) return text.length; // every UTF-16 unit is ≤ 3 bytes
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      bytes += 4; // a surrogate pair: 4 bytes for two units
      i++;
    } else bytes += 3;
    if (bytes > max) return bytes;
  }
  return bytes;
}

/** Deepest bracket nesting of a JSON text (counted until it passes `max`), strings aside. */
function nestingOf(text: string, max: number): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > deepest) deepest = depth;
      if (deepest > max) return deepest;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return deepest;
}

/** The wire form of a server frame. */
export function encodeServerFrame(frame: ServerFrame): string {
  return JSON.stringify(frame);
}

/** The wire form of a client frame. */
export function encodeClientFrame(frame: ClientFrame): string {
  return JSON.stringify(frame);
}
