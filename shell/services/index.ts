export { HostServices, type HostServicesOptions } from './host-services.ts';
// The services of one mount load with the first mount (docs/decisions/0012-performance.md).
export type { SessionServices, SharedServices } from './session-services.ts';
export type { ServiceCaller, ServiceSurface } from './service-surface.ts';
export { ContextService } from './context-service.ts';
export { THEME_TOKENS } from './theme-tokens.ts';
export { StorageService } from './storage-service.ts';
export { MemoryStorageBackend, type StorageBackend } from './storage-backend.ts';
export { IndexedDbStorageBackend } from './idb-storage-backend.ts';
// OSCILLATION_WINDOW_MS is the protocol's (service-limits.ts), exported with it.
export type { Bounds, ResizeGovernor } from './resize-governor.ts';
export {
  ToastStack,
  TOAST_LIFETIME_MS,
  MAX_TOASTS,
  MAX_TOASTS_PER_APP,
  type Toast,
} from './toast-stack.ts';
export { ServiceLimiter, SERVICE_RATES, type LimitedService } from './service-limiter.ts';
