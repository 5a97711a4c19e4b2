export { McCanvas, type Placement, type Slot } from './elements/mc-canvas.ts';
export { McFrame } from './elements/mc-frame.ts';
export {
  LIFECYCLE_EVENTS,
  McAppLifecycleEvent,
  McAppStatusEvent,
  type LifecycleEventType,
} from './elements/events.ts';
export { Host, HANDSHAKE_TIMEOUT_MS, type HostOptions } from './host/host.ts';
export { McSuspendedEvent, McViolationEvent, type HostEventMap } from './host/host-events.ts';
export {
  FrameSession,
  MAX_RECONNECTS,
  type FrameStatus,
  type SessionChange,
} from './frames/frame-session.ts';
export { HEARTBEAT_INTERVAL_MS, HEARTBEAT_MISSES } from './frames/heartbeat.ts';
export { sandboxAttribute, allowAttribute } from './frames/sandbox.ts';
export type { Violation, ViolationKind } from './broker/violations.ts';
export type { BrokerStats } from './broker/broker.ts';
export * from '../sdk/protocol/index.ts';
