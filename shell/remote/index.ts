// `microcanvas/remote`: the host page's client of a microcanvas server (docs/sync.md). An entry
// of its own, apart from `microcanvas/sync` (storage and tabs), so that only pages that sync
// with a server load it: it brings zod for the wire protocol.
export {
  ServerLink,
  CONNECT_TIMEOUT_MS,
  HEARTBEAT_MISSES,
  REQUEST_TIMEOUT_MS,
  type LinkReplies,
  type LinkRequest,
  type LinkSocket,
  type LinkState,
  type ServerLinkOptions,
  type SocketFactory,
} from './server-link.ts';
export {
  CanvasRemote,
  type CanvasRemoteOptions,
  type LostNotice,
  type RemoteStatus,
} from './canvas-remote.ts';
export {
  EventRemote,
  MAX_QUEUED_EVENTS,
  type EventRemoteOptions,
  type EventRemoteStats,
} from './event-remote.ts';
export {
  SlotReplica,
  type ApplyResult,
  type ConfirmedSlot,
  type PendingOp,
  type ReplicaData,
} from './slot-replica.ts';
export { IdbReplicaStore, MemoryReplicaStore, type ReplicaStore } from './replica-store.ts';
export { ReplicaRows, type AdoptedRow, type TabLocks } from './replica-rows.ts';
export { backoffDelay, RECONNECT_BASE_MS, RECONNECT_MAX_MS } from './backoff.ts';
export { deviceId, newDeviceId, DEVICE_ID_KEY } from './device-id.ts';
export { cacheOnly } from './cache-only.ts';
export {
  RegistryCatalog,
  type ChangeSource,
  type RegistryCatalogOptions,
} from './registry-catalog.ts';
export {
  McSyncStatus,
  LOST_NOTICE_MS,
  type SyncIndicatorState,
} from '../elements/mc-sync-status.ts';
export * from '../../sdk/protocol/server-wire.ts';
export { IdentityRemote, type IdentityRemoteOptions } from './identity-remote.ts';
export type { IdentityProvider } from '../services/identity-provider.ts';
