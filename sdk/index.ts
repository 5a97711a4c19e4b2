export { connect, CONNECT_TIMEOUT_MS, type ConnectOptions } from './connect.ts';
export {
  Client,
  REQUEST_TIMEOUT_MS,
  type CallArgs,
  type CallOptions,
  type CallResult,
  type McEvent,
  type ServiceMethod,
  type StateVersion,
  type Subscription,
} from './client.ts';
export type {
  App,
  DataArgs,
  KnownPattern,
  PayloadOf,
  SegmentsMatch,
  SourceOf,
  Split,
  StateOf,
  StateOrUnknown,
  TopicsMatching,
  TypedClient,
  TypedEvent,
} from './typed.ts';
export { handle, onTeardown } from './host-calls.ts';
export { McError, type ErrorCode } from './protocol/errors.ts';
export type { AppContext } from './protocol/context.ts';
export type { HostCallHandler, TeardownHandler, TeardownReason } from './protocol/handshake.ts';
export type { IdentityToken } from './protocol/identity.ts';
export type { Topic, TopicPattern } from './protocol/topics.ts';
export { PROTOCOL_VERSION } from './protocol/version.ts';
export {
  alert,
  autoResize,
  confirm,
  MODAL_TIMEOUT_MS,
  notify,
  shortcuts,
  storage,
  type AppStorage,
  type AutoResizeOptions,
  type ServiceCaller,
} from './services.ts';
