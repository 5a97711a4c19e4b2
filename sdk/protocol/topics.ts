/**
 * The topic grammar: `source.entity.action` (three to six segments), ASCII lowercase.
 * The first segment is the publishing app's id, or `host`.
 */
const SEGMENT = '[a-z][a-z0-9_-]{0,31}';

/** Matches an app id: one lowercase segment. */
export const APP_ID_RE = /^[a-z][a-z0-9_-]{0,31}$/;

/** Matches a concrete topic. */
export const TOPIC_RE = new RegExp(`^${SEGMENT}(?:\\.${SEGMENT}){2,5}$`);

/** Matches a subscription pattern: like a topic, but any segment may be `*` (one segment). */
export const PATTERN_RE = new RegExp(`^(?:${SEGMENT}|\\*)(?:\\.(?:${SEGMENT}|\\*)){2,5}$`);

/** The id the host page publishes under. */
export const HOST_APP_ID = 'host';

/** A topic, typed as far as template literals go; `isTopic` is the real check. */
export type Topic = `${string}.${string}.${string}`;

/** A subscription pattern such as `calendar.*.selected`. */
export type TopicPattern = `${string}.${string}.${string}`;

/** True when `value` is a valid topic. */
export function isTopic(value: unknown): value is Topic {
  return typeof value === 'string' && value.length <= 200 && TOPIC_RE.test(value);
}

/** True when `value` is a valid subscription pattern. */
export function isPattern(value: unknown): value is TopicPattern {
  return typeof value === 'string' && value.length <= 200 && PATTERN_RE.test(value);
}

/** True when `value` is a valid app id. */
export function isAppId(value: unknown): value is string {
  return typeof value === 'string' && APP_ID_RE.test(value);
}

/**
 * True when `topic` matches `pattern` (`*` stands for exactly one segment): the one matcher
 * of the SDK's dispatch, the broker's grants and its subscriber index.
 */
export function matchTopic(pattern: string, topic: string): boolean {
  // Most subscriptions name one topic: compare without splitting (no garbage per event).
  if (pattern === topic) return true;
  if (!pattern.includes('*')) return false;
  const p = pattern.split('.');
  const t = topic.split('.');
  if (p.length !== t.length) return false;
  for (let i = 0; i < p.length; i++) {
    if (p[i] !== '*' && p[i] !== t[i]) return false;
  }
  return true;
}

/**
 * True when every topic matched by `requested` is also matched by `granted`: how a runtime
 * subscription is checked against the manifest's `subscribes`. It is the matching rule
 * itself: a `*` in the request can only be matched by a `*` in the grant.
 */
export function patternCovers(granted: string, requested: string): boolean {
  return matchTopic(granted, requested);
}
