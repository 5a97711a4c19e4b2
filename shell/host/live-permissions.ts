import { grantParts } from '../../sdk/protocol/revocations.ts';
import type * as Protocol from '../../sdk/protocol/index.ts';
import type {
  AuditEntry,
  BrokerGrantRef,
  EffectiveGrants,
  GrantKind,
  GrantRef,
  Manifest,
  ServiceName,
} from '../../sdk/protocol/index.ts';

/** Changes the audit log keeps; older ones are dropped. Only host code writes to it. */
export const AUDIT_LOG_SIZE = 1000;
/** The longest `by` kept in an audit entry. */
const MAX_BY_CHARS = 100;

/** Options of `Host.revoke` and `Host.restore`. */
export interface GrantChangeOptions {
  /** Who asks, for the audit log (default `'host'`; `<mc-devtools>` says `'devtools'`). */
  by?: string;
}

/** What {@link LivePermissions} needs of its Host. */
export interface LivePermissionsHost {
  /** The registered manifest of an app, if any. */
  manifest(app: string): Manifest | undefined;
  /** Hands the broker an app's revocations; resolves once it applied them. */
  apply(app: string, revoked: BrokerGrantRef[]): Promise<void>;
  /** An app's rights changed (the Host fires `mc-app-updated` with `grants`). */
  changed(app: string): void;
  /**
   * The protocol's helpers, handed over by the Host rather than imported: the page has them
   * at start, and a lazy chunk importing them makes the bundler split them out of the
   * start-up bundle into chunks of their own (+0.5 KiB gzip measured, scripts/size.mjs).
   */
  protocol: Pick<
    typeof Protocol,
    'McError' | 'isAppId' | 'isPattern' | 'patternCovers' | 'SERVICE_NAMES'
  >;
}

/**
 * The host's live permissions (docs/decisions/0022-live-permissions.md): per app, the
 * grants revoked since its manifest was registered, and an audit log of every change. It
 * lives as long as the Host, keyed by app, so a remount or a broker restart does not lift a
 * revocation. Revocations only subtract from the manifest: nothing here can give an app a
 * right its manifest lacks. Loaded with the Host's first use of it, not with the page.
 */
export class LivePermissions {
  readonly #revoked = new Map<string, GrantRef[]>();
  readonly #audit: AuditEntry[] = [];
  readonly #host: LivePermissionsHost;

  constructor(host: LivePermissionsHost) {
    this.#host = host;
  }

  /**
   * Revokes or restores one grant; resolves once the broker applied it (at once for a
   * service, which the host page refuses itself), false when it changes nothing. If the
   * broker is restarting, this rejects with `BROKER_UNAVAILABLE` but the change holds: the
   * Host replays {@link revocations} into the new broker before any widget reattaches.
   */
  async change(
    app: string,
    action: AuditEntry['action'],
    input: unknown,
    { by }: GrantChangeOptions = {},
  ): Promise<boolean> {
    if (!this.#host.manifest(app)) throw this.#unknown(app);
    const grant = this.#parse(input);
    const key = keyOf(grant);
    const list = this.#revoked.get(app) ?? [];
    const at = list.findIndex((g) => keyOf(g) === key);
    if ((action === 'revoke') === at >= 0) return false;
    if (action === 'revoke') list.push(grant);
    else list.splice(at, 1);
    this.#revoked.set(app, list);
    const who = typeof by === 'string' && by !== '' ? by.slice(0, MAX_BY_CHARS) : 'host';
    this.#audit.push({ time: Date.now(), app, action, grant, by: who });
    if (this.#audit.length > AUDIT_LOG_SIZE) this.#audit.shift();
    this.#host.changed(app);
    if (!('service' in grant)) await this.#host.apply(app, this.#brokerList(app));
    return true;
  }

  /** Per app with any, what the broker enforces: for replaying into a restarted broker. */
  revocations(): Array<[string, BrokerGrantRef[]]> {
    return [...this.#revoked.keys()].map((app) => [app, this.#brokerList(app)]);
  }

  #brokerList(app: string): BrokerGrantRef[] {
    return (this.#revoked.get(app) ?? []).filter((g): g is BrokerGrantRef => !('service' in g));
  }

  /** Whether `app` may call `service` as things stand (its manifest is checked elsewhere). */
  allows(app: string, service: ServiceName): boolean {
    return !this.#revoked.get(app)?.some((g) => 'service' in g && g.service === service);
  }

  /** An app's manifest grants less what is revoked; `UNKNOWN_APP` for an unknown app. */
  grants(app: string): EffectiveGrants {
    const manifest = this.#host.manifest(app);
    if (!manifest) throw this.#unknown(app);
    const revoked = this.#revoked.get(app) ?? [];
    const covered = (kind: GrantKind, granted: string) =>
      revoked.some((g) => {
        const [k, target] = grantParts(g);
        if (k !== kind) return false;
        return kind === 'publish' || kind === 'subscribe'
          ? this.#host.protocol.patternCovers(target, granted)
          : target === granted;
      });
    return {
      publishes: manifest.publishes.filter((p) => !covered('publish', p)),
      subscribes: manifest.subscribes.filter((p) => !covered('subscribe', p)),
      reads: manifest.reads.filter((a) => !covered('read', a)),
      services: manifest.services.filter((s) => !covered('service', s)),
      revoked: revoked.map((g) => ({ ...g })),
    };
  }

  /** The audit log, oldest first (copies). */
  auditLog(): AuditEntry[] {
    return this.#audit.map((e) => ({ ...e, grant: { ...e.grant } }));
  }

  #unknown(app: string): Error {
    return new this.#host.protocol.McError('UNKNOWN_APP', String(app).slice(0, 40));
  }

  /** Checks a grant from host code: exactly one known field with a well-formed target. */
  #parse(input: unknown): GrantRef {
    const { McError, isAppId, isPattern, SERVICE_NAMES } = this.#host.protocol;
    const keys = typeof input === 'object' && input !== null ? Object.keys(input) : [];
    if (keys.length === 1) {
      const [kind, target] = grantParts(input as GrantRef);
      const ok =
        kind === 'publish' || kind === 'subscribe'
          ? isPattern(target)
          : kind === 'read'
            ? isAppId(target)
            : kind === 'service' && (SERVICE_NAMES as readonly unknown[]).includes(target);
      if (ok) return { [kind]: target } as GrantRef;
    }
    throw new McError(
      'INVALID_ARGUMENT',
      'a grant is one of { publish: pattern }, { subscribe: pattern }, { read: appId }, { service: name }',
    );
  }
}

function keyOf(grant: GrantRef): string {
  return grantParts(grant).join(' ');
}
