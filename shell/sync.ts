// `microcanvas/sync`: what keeps copies of a canvas equal and carries it beyond the page —
// storage, other tabs, the page bridge. Its own entry, so that a host page that does not
// persist or sync pays nothing for it at start (docs/decisions/0014-sync-entry.md).
export {
  isNewer,
  nextStamp,
  parseCanvasState,
  type CanvasState,
  type SavedSlot,
  type Stamp,
} from './store/canvas-state.ts';
export {
  CanvasSync,
  type CanvasSyncOptions,
  type SyncHost,
  type SyncSource,
} from './store/canvas-sync.ts';
export { TabChannel } from './store/tab-channel.ts';
export type { CanvasStore } from './store/canvas-store.ts';
export { MemoryBacking, MemoryStore } from './store/memory-store.ts';
export {
  CANVAS_TTL_MS,
  IndexedDbStore,
  type IndexedDbStoreOptions,
} from './store/indexeddb-store.ts';
export {
  CanvasPersistence,
  SAVE_DELAY_MS,
  type CanvasPersistenceOptions,
  type PersistedCanvas,
} from './store/canvas-persistence.ts';
export { StateSync, type StateSyncOptions } from './store/state-sync.ts';
export {
  WINDOW_EVENT_PREFIX,
  WindowBridge,
  type MicroappEventDetail,
} from './bridge/window-bridge.ts';
export { PageStore, type PageState } from './bridge/page-store.ts';
