import type { AdminAccess } from './access.ts';
import type { AppCredentials } from './app-credentials.ts';
import type { HealthProber } from './health-prober.ts';
import type { Registry } from './registry.ts';
import type { RegistryEvents } from './registry-events.ts';

/** What the registry's routes share. */
export interface RegistryContext {
  readonly registry: Registry;
  readonly credentials: AppCredentials;
  readonly prober: HealthProber;
  readonly events: RegistryEvents;
  readonly admin: AdminAccess;
  /** Host origins allowed to read the catalog and its event stream (CORS). */
  readonly origins: ReadonlySet<string>;
  /** How long a heartbeat counts. */
  readonly heartbeatTtlMs: number;
}
