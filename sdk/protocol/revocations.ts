import type { ServiceName } from './services.ts';
import type { TopicPattern } from './topics.ts';

/**
 * Live permissions (docs/decisions/0022-live-permissions.md): the host narrows a running
 * app's rights without remounting it, and widens them back only as far as its manifest.
 * No zod here: the host page checks these by hand, so its start-up bundle carries no schema.
 */

/**
 * One right of an app that the host can revoke and restore, exactly one field: publishing on
 * topics matching a pattern, subscribing to topics matching it, reading an app's public
 * state, or calling a host service.
 */
export type GrantRef =
  | { publish: TopicPattern }
  | { subscribe: TopicPattern }
  | { read: string }
  | { service: ServiceName };

/** The revocations the broker enforces (services are refused by the host page itself). */
export type BrokerGrantRef = Exclude<GrantRef, { service: ServiceName }>;

/** One change of an app's rights, as the host's audit log keeps it. */
export interface AuditEntry {
  /** `Date.now()` when the change took effect in the host. */
  time: number;
  app: string;
  action: 'revoke' | 'restore';
  grant: GrantRef;
  /** Who asked: the `by` option of the Host API call (`'host'` by default). */
  by: string;
}

/**
 * An app's rights as they stand: its manifest's grants without those covered by a
 * revocation, and the revocations themselves (a revoked pattern may be narrower than a
 * grant: the grant stays listed, the revocation carves out of it).
 */
export interface EffectiveGrants {
  publishes: string[];
  subscribes: string[];
  reads: string[];
  services: ServiceName[];
  revoked: GrantRef[];
}

/** The kind of a {@link GrantRef}: its one field's name. */
export type GrantKind = 'publish' | 'subscribe' | 'read' | 'service';

/** The kind and target of a {@link GrantRef}. */
export function grantParts(grant: GrantRef): [GrantKind, string] {
  const [kind] = Object.keys(grant) as [GrantKind];
  return [kind, (grant as Record<GrantKind, string>)[kind]];
}

/** Whether two patterns have a topic in common (`*` is one segment on either side). */
export function patternsOverlap(a: string, b: string): boolean {
  const x = a.split('.');
  const y = b.split('.');
  return x.length === y.length && x.every((s, i) => s === '*' || y[i] === '*' || s === y[i]);
}
