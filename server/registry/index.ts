export { AppCredentials, type IssuedCredential } from './app-credentials.ts';
export { publicView } from './app-routes.ts';
export { resolveBackendUrl } from './health-prober.ts';
export { Registry, REGISTRY_CHANGED, type RegistryChange } from './registry.ts';
export {
  DEFAULT_HEARTBEAT_TTL_MS,
  DEFAULT_PROBE_INTERVAL_MS,
  startRegistry,
  type RegistryOptions,
  type RegistryService,
} from './registry-service.ts';
export type { AppAuthenticator, RegistryReader, StoredApp } from './types.ts';
