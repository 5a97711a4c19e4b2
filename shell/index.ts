export { McCanvas } from './elements/mc-canvas.ts';
export {
  CanvasModel,
  type CanvasLike,
  type LayoutChange,
  type LayoutChangeReason,
  type ModelHost,
  type Placement,
  type Slot,
} from './model/canvas-model.ts';
export { McFrame } from './elements/mc-frame.ts';
export { McCatalog } from './elements/mc-catalog.ts';
export { McLayoutChangeEvent } from './elements/canvas-events.ts';
export {
  GRID_SIZE_PX,
  MIN_SLOT_HEIGHT_PX,
  MIN_SLOT_WIDTH_PX,
  findFreeSpot,
  type Rect,
} from './layout/geometry.ts';
export {
  LIFECYCLE_EVENTS,
  McAppLifecycleEvent,
  McAppStatusEvent,
  type LifecycleEventType,
} from './elements/events.ts';
export { Host, HANDSHAKE_TIMEOUT_MS, type HostOptions } from './host/host.ts';
export type { GrantChangeOptions } from './host/live-permissions.ts';
export {
  McAppUpdatedEvent,
  McSuspendedEvent,
  McViolationEvent,
  type HostEventMap,
} from './host/host-events.ts';
export {
  FrameSession,
  MAX_RECONNECTS,
  type FrameStatus,
  type SessionChange,
} from './frames/frame-session.ts';
export {
  HEARTBEAT_INTERVAL_MS,
  HEARTBEAT_MISSES,
  REAL_BEAT_CLOCK,
  type BeatClock,
} from './frames/heartbeat.ts';
export { sandboxAttribute, allowAttribute } from './frames/sandbox.ts';
// The protocol's types, and its values that carry no zod. The schemas themselves are
// exported by `microcanvas/protocol`: from here they would put zod into every host page's
// start-up bundle (docs/decisions/0012-performance.md).
export type * from '../sdk/protocol/index.ts';
export * from '../sdk/protocol/version.ts';
export * from '../sdk/protocol/errors.ts';
export * from '../sdk/protocol/topics.ts';
export * from '../sdk/protocol/limits.ts';
export * from '../sdk/protocol/bounds.ts';
export * from '../sdk/protocol/permissions.ts';
export * from '../sdk/protocol/context-tokens.ts';
export * from '../sdk/protocol/handshake.ts';
export * from '../sdk/protocol/services.ts';
export * from '../sdk/protocol/outbox.ts';
// <mc-toasts> and <mc-dialog> load when first shown (docs/decisions/0012-performance.md).
export type { McToasts } from './elements/mc-toasts.ts';
export type { McDialog, McDialogCloseEvent } from './elements/mc-dialog.ts';
export { ensureToastView, loadDevtools } from './elements/lazy-views.ts';
// <mc-devtools> loads with loadDevtools() (docs/devtools.md).
export type { McDevtools } from './elements/mc-devtools.ts';
export type { ConnectionView, TapReader, TimelineFilter } from './devtools/tap-reader.ts';
export {
  McAppResizedEvent,
  McResizeFrozenEvent,
  McShortcutEvent,
} from './elements/service-events.ts';
export * from './services/index.ts';
