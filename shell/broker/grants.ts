import { HOST_APP_ID, matchTopic, patternCovers, type Manifest } from '../../sdk/protocol/index.ts';

const MAX_CACHED_TOPICS = 256;

/**
 * What one connection may do, computed from the registered manifest when it attaches and
 * never from anything the widget sends. The host connection may do everything.
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

  private constructor(
    publishes: string[],
    subscribes: string[],
    reads: string[],
    all: boolean,
    sync: Manifest['sync'] = { publishes: [], subscribes: [], state: false },
  ) {
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
      allowed = this.#publishes.some((pattern) => matchTopic(pattern, topic));
      // Topics come from the widget: cycling through many must not grow this without bound.
      if (this.#published.size >= MAX_CACHED_TOPICS) this.#published.clear();
      this.#published.set(topic, allowed);
    }
    return allowed;
  }

  canSubscribe(pattern: string): boolean {
    if (this.#all) return true;
    return this.#subscribes.some((granted) => patternCovers(granted, pattern));
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
    const asked = pattern.split('.');
    return (
      this.#all ||
      this.#sync.subscribes.some((synced) => {
        const s = synced.split('.');
        return (
          s.length === asked.length &&
          s.every((x, i) => x === '*' || asked[i] === '*' || x === asked[i])
        );
      })
    );
  }

  canRead(appId: string): boolean {
    return this.#all || this.#reads.has(appId);
  }
}
