import type { McEvent, Subscription } from '../../sdk/client.ts';
import {
  HOST_APP_ID,
  isTopic,
  McError,
  type Topic,
  type TopicPattern,
} from '../../sdk/protocol/index.ts';
import type { Host } from '../host/host.ts';

/** The prefix of mirrored events: `microapp:calendar.date.selected`. */
export const WINDOW_EVENT_PREFIX = 'microapp:';

/** What a mirrored event carries in `detail`: the broker event as host code sees it. */
export type MicroappEventDetail<T = unknown> = McEvent<T>;

/**
 * The seed's in-page patterns for trusted code on the host page (not for widgets):
 *
 * - `mirror(patterns)`: broker events matching the patterns are re-dispatched on `window`
 *   as `CustomEvent('microapp:<topic>', { detail })`, so in-page code can use
 *   `addEventListener('microapp:todo.item.completed', …)`. Opt-in, and only for the
 *   patterns asked for: nothing is mirrored by default. `detail` is widget data: treat it
 *   as untrusted (render as text), like everything a widget publishes.
 * - `publish(topic, data)`: publishes from host code on a `host.*` topic (subscribers see
 *   `source: 'host'`); other namespaces belong to apps and are refused.
 */
export class WindowBridge {
  readonly #host: Host;
  readonly #target: EventTarget;
  readonly #subscriptions: Subscription[] = [];

  constructor(host: Host, target: EventTarget = window) {
    this.#host = host;
    this.#target = target;
  }

  /** Starts mirroring every event on `patterns`; resolves once the broker confirmed them. */
  mirror(patterns: readonly TopicPattern[]): Promise<void> {
    const started = patterns.map((pattern) =>
      this.#host.subscribe(pattern, (event) => {
        this.#target.dispatchEvent(
          new CustomEvent<MicroappEventDetail>(`${WINDOW_EVENT_PREFIX}${event.topic}`, {
            detail: event,
          }),
        );
      }),
    );
    this.#subscriptions.push(...started);
    return Promise.all(started.map((s) => s.ready)).then(() => undefined);
  }

  /** Publishes from trusted page code; `topic` must be `host.<entity>.<action>`. */
  publish(topic: Topic, data?: unknown): void {
    if (!isTopic(topic)) throw new McError('TOPIC_INVALID', `"${String(topic)}" is not a topic`);
    if (topic.split('.')[0] !== HOST_APP_ID) {
      throw new McError('NOT_PERMITTED', 'page code publishes on host.* topics only');
    }
    this.#host.publish(topic, data);
  }

  /** Stops every mirror. */
  close(): void {
    for (const stop of this.#subscriptions.splice(0)) stop();
  }
}
