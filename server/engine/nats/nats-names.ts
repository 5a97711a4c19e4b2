/**
 * JetStream stream, consumer and bucket names allow no `.`; ours are dot-separated. `_`
 * escapes: `_` → `__`, `.` → `_d`, which is one-to-one (every `_` of the result starts a
 * pair), so two different names never share a stream.
 */
export function escapeName(name: string): string {
  return name.replace(/_/g, '__').replace(/\./g, '_d');
}

/** The JetStream stream that holds one log stream. */
export const streamName = (namespace: string, stream: string): string =>
  `${namespace}_log_${escapeName(stream)}`;

/** The subject its entries are published on. */
export const streamSubject = (namespace: string, stream: string): string =>
  `${namespace}.log.${stream}`;

/** The durable consumer of one group. */
export const consumerName = (group: string): string => `g_${escapeName(group)}`;

/** The KV bucket of a namespace. */
export const bucketName = (namespace: string): string => `${namespace}_kv`;

/** The subject of a pub/sub channel. */
export const channelSubject = (namespace: string, channel: string): string =>
  `${namespace}.ps.${channel}`;

/** The records bucket of a namespace (no max age). */
export const recordsBucketName = (namespace: string): string => `${namespace}_rec`;
