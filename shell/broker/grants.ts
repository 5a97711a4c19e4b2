import { HOST_APP_ID, matchTopic, patternCovers, type Manifest } from '../../sdk/protocol/index.ts';

/**
 * What one connection may do, computed from the registered manifest when it attaches and
 * never from anything the widget sends. The host connection may do everything.
 */
export class Grants {
  readonly #publishes: readonly string[];
  readonly #subscribes: readonly string[];
  readonly #reads: ReadonlySet<string>;
  readonly #all: boolean;

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
    if (topic.split('.')[0] !== appId || appId === HOST_APP_ID) return false;
    return this.#publishes.some((pattern) => matchTopic(pattern, topic));
  }

  canSubscribe(pattern: string): boolean {
    if (this.#all) return true;
    return this.#subscribes.some((granted) => patternCovers(granted, pattern));
  }

  canRead(appId: string): boolean {
    return this.#all || this.#reads.has(appId);
  }
}
