/**
 * A canvas event on its way to app backends (webhooks and queues): what the event bus
 * stored, with where and from whom. Its `id` is unique per event and stable across resends,
 * so that every hop deduplicates by it (outbox, queue, the receiver's webhook-id).
 */
export interface BackendEvent {
  readonly id: string;
  readonly space: string;
  /** The publishing app (a widget's, or a backend's own). */
  readonly app: string;
  readonly topic: string;
  /** The payload as JSON text, exactly as published. */
  readonly data: string;
  /** Who published: a user on a device, or the app's backend (`backend: true`). */
  readonly by: { readonly user?: string; readonly device?: string; readonly backend?: true };
  /** Milliseconds since the epoch, when the bus stored it. */
  readonly time: number;
}

/** Streams of the engine's log that hold backend deliveries, one per subscription. */
export const webhookStream = (app: string, name: string): string => `wh.${app}.${name}`;
export const queueStream = (app: string, name: string): string => `q.${app}.${name}`;
/**
 * The pub/sub channel on which an append to a queue is announced (no payload), so that pulls
 * waiting on any server process look at once instead of at their next poll.
 */
export const queueChannel = (app: string, name: string): string => `q.${app}.${name}.new`;
