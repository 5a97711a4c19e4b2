import { BackendEventSchema } from '../../sdk/protocol/queues.ts';
import type { BackendEvent } from './types.ts';
/**
 * How a {@link BackendEvent} is stored in a `wh.*` or `q.*` stream: its JSON, read back through
 * the protocol's schema (the one queue pulls answer with), because a stream outlives the code
 * that wrote it.
 */
export { BackendEventSchema };

export function encodeBackendEvent(event: BackendEvent): string {
  return JSON.stringify(event);
}

/** The event in a stream entry's payload, or undefined when it is not one. */
export function decodeBackendEvent(payload: string): BackendEvent | undefined {
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    return undefined;
  }
  const parsed = BackendEventSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}
