export * from './version.ts';
export * from './errors.ts';
export * from './topics.ts';
export * from './limits.ts';
export * from './bounds.ts';
export * from './wire.ts';
export * from './broker-control.ts';
export type { BrokerOp, ErrOp, EventOp, GapOp, OkOp, StateOp } from './broker-ops.ts';
export * from './permissions.ts';
export * from './revocations.ts';
export * from './manifest.ts';
export * from './app-schemas.ts';
export * from './payload-schema.ts';
export * from './define-app.ts';
export * from './scopes.ts';
export * from './context-tokens.ts';
export * from './context.ts';
export * from './handshake.ts';
export * from './services.ts';
export * from './outbox.ts';
export * from './service-schemas.ts';
// The server's WebSocket protocol: the shell's server client loads it lazily; unused exports
// of a side-effect-free module cost the start-up bundle nothing.
export {
  AUTH_SUBPROTOCOL_PREFIX,
  CLIENT_MAX_DEPTH,
  CLIENT_MAX_FRAME_BYTES,
  CLIENT_MAX_NODES,
  decodeClientFrame,
  decodeServerFrame,
  DEFAULT_HEARTBEAT_MS,
  DEFAULT_SPACE_TTL_MS,
  encodeClientFrame,
  encodeServerFrame,
  MAX_JOINED_SPACES,
  MAX_OPS_PER_EDIT,
  MAX_SLOTS_PER_SPACE,
  GAP_REASONS,
  SERVER_MAX_DEPTH,
  SERVER_MAX_FRAME_BYTES,
  SERVER_MAX_NODES,
  SERVER_PROTOCOL_VERSION,
  SERVER_RATE_BURST,
  SERVER_RATE_PER_SEC,
  SERVER_SUBPROTOCOL,
  SERVER_WS_PATH,
  SLOT_FIELDS,
  type AckFrame,
  type Author,
  type EventAuthor,
  type ChangedFrame,
  type ClientFrame,
  type DecodeResult,
  type EditFrame,
  type ErrorFrame,
  type GapFrame,
  type JoinFrame,
  type LeaveFrame,
  type LostField,
  type LostFrame,
  type PingFrame,
  type PongFrame,
  type ServerFrame,
  type SlotChange,
  type SlotField,
  type SlotFields,
  type SlotOp,
  type SlotState,
  type SnapshotFrame,
  type WelcomeFrame,
} from './server-wire.ts';
export {
  IDENTITY_TOKEN_MARGIN_MS,
  IDENTITY_TOKEN_PATH,
  IdentityRequestSchema,
  IdentityTokenSchema,
  type IdentityRequest,
  type IdentityToken,
} from './identity.ts';
