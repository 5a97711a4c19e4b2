import {
  grantParts,
  HOST_APP_ID,
  matchTopic,
  patternCovers,
  patternsOverlap,
  type BrokerGrantRef,
  type Manifest,
} from '../../sdk/protocol/index.ts';
import { payloadChecks, type PayloadChecks } from '../../sdk/protocol/payload-checks.ts';

const MAX_CACHED_TOPICS = 256;

/**
 * What one connection may do, computed from the registered manifest when it attaches and
 * never from anything the widget sends, less what the host revoked since
 * ({@link revoke}: it only ever narrows). The host connection may do everything.
 */
export class Grants {
  readonly #publishes: readonly string[];
  readonly #subscribes: readonly string[];
  readonly #reads: ReadonlySet<string>;
  readonly #all: boolean;
  /** The manifest's `sync`: what leaves the browser and what may come back. */
  readonly #sync: NonNullable<Manifest['sync']>;
  /** Whether a topic matches `publishes`, by topic: a burst asks about the same one each time. */
  readonly #published = new Map<string, boolean>();
  /** Revoked by the host: patterns carved out of publishes and subscribes, apps unreadable. */
  #denied = { publish: [] as string[], subscribe: [] as string[], read: new Set<string>() };
  /** The manifest's payload schemas, compiled; undefined when it has none (and for the host). */
  readonly payloads: PayloadChecks | undefined;

  private constructor(
    publishes: string[],
    subscribes: string[],
    reads: string[],
    all: boolean,
    sync: Manifest['sync'] = { publishes: [], subscribes: [], state: false },
    payloads?: PayloadChecks,
  ) {
    this.payloads = payloads;
    this.#sync = sync;
    this.#publishes = publishes;
    this.#subscribes = subscribes;
    this.#reads = new Set(reads);
    this.#all = all;
  }

  /** The rights a manifest declares. */
  static fromManifest(manifest: Manifest): Grants {
    return new Grants(
      [...manifest.publishes],
      [...manifest.subscribes],
      [...manifest.reads],
      false,
      manifest.sync,
      payloadChecks(manifest),
    );
  }

  /** The trusted host page's rights. */
  static host(): Grants {
    return new Grants([], [], [], true);
  }

  canPublish(appId: string, topic: string): boolean {
    if (this.#all) return true;
    // The namespace rule is also enforced at registration; checked again so a bug there
    // cannot let one app speak for another.
    if (appId === HOST_APP_ID || !topic.startsWith(appId) || topic[appId.length] !== '.') {
      return false;
    }
    let allowed = this.#published.get(topic);
    if (allowed === undefined) {
      allowed =
        this.#publishes.some((pattern) => matchTopic(pattern, topic)) &&
        !this.#denied.publish.some((pattern) => matchTopic(pattern, topic));
      // Topics come from the widget: cycling through many must not grow this without bound.
      if (this.#published.size >= MAX_CACHED_TOPICS) this.#published.clear();
      this.#published.set(topic, allowed);
    }
    return allowed;
  }

  /**
   * A subscription is refused when it could receive any topic of a revoked pattern, so that
   * dropping the subscriptions this refuses stops every event the revocation names.
   */
  canSubscribe(pattern: string): boolean {
    if (this.#all) return true;
    return (
      this.#subscribes.some((granted) => patternCovers(granted, pattern)) &&
      !this.#denied.subscribe.some((revoked) => patternsOverlap(revoked, pattern))
    );
  }

  /**
   * Replaces what the host revoked from this app (the whole list: revoking and restoring
   * are the host's changes to it). Never widens past the manifest: the list only subtracts.
   * The host's own grants cannot be revoked.
   */
  revoke(revoked: readonly BrokerGrantRef[]): void {
    if (this.#all) return;
    const denied = { publish: [] as string[], subscribe: [] as string[], read: new Set<string>() };
    for (const grant of revoked) {
      const [kind, target] = grantParts(grant);
      if (kind === 'read') denied.read.add(target);
      else if (kind === 'publish' || kind === 'subscribe') denied[kind].push(target);
    }
    this.#denied = denied;
    this.#published.clear();
  }

  /**
   * Whether an event of this app that passed {@link canPublish} also goes to the server (no
   * topic: its public state). Never for the host, whose own events stay in the page.
   */
  sends(topic?: string): boolean {
    if (topic === undefined) return this.#sync.state;
    return this.#sync.publishes.some((pattern) => matchTopic(pattern, topic));
  }

  /**
   * Whether a subscription of this connection (already allowed by `subscribes`) may also get
   * `topic` from the user's other devices. The host's subscriptions get everything.
   */
  receives(topic: string): boolean {
    return this.#all || this.#sync.subscribes.some((pattern) => matchTopic(pattern, topic));
  }

  /** Whether a subscription to `pattern` may get any event from other devices. */
  receivesAny(pattern: string): boolean {
    return this.#all || this.#sync.subscribes.some((synced) => patternsOverlap(synced, pattern));
  }

  canRead(appId: string): boolean {
    return this.#all || (this.#reads.has(appId) && !this.#denied.read.has(appId));
  }
}
