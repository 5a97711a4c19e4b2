import type { BackendEvent } from '../delivery/types.ts';

/**
 * A delivery's body (docs/backends.md, "Webhooks"): the Standard Webhooks shape,
 * `{type, timestamp, data}`, with `type` the topic, `timestamp` when the bus stored the
 * event (ISO 8601), and `data` where it happened, who published it and the payload as
 * published (JSON).
 */
export interface WebhookBody {
  readonly type: string;
  readonly timestamp: string;
  readonly data: {
    readonly space: string;
    readonly app: string;
    readonly by: BackendEvent['by'];
    readonly payload: unknown;
  };
}

export function webhookBody(event: BackendEvent): string {
  let payload: unknown;
  try {
    payload = JSON.parse(event.data);
  } catch {
    // The bus stores JSON text; anything else goes through as the string it is.
    payload = event.data;
  }
  const body: WebhookBody = {
    type: event.topic,
    timestamp: new Date(event.time).toISOString(),
    data: { space: event.space, app: event.app, by: event.by, payload },
  };
  return JSON.stringify(body);
}
