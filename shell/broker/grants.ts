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
  /** Whether a topic matches `publishes`, by topic: a burst asks about the same one each time. */
  readonly #published = new Map<string, boolean>();

  private constructor(publishes: string[], subscribes: string[], reads: string[], all: boolean) {
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

  canRead(appId: string): boolean {
    return this.#all || this.#reads.has(appId);
  }
}
