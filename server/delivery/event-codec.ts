import * as z from 'zod/mini';

import type { BackendEvent } from './types.ts';

/**
 * How a {@link BackendEvent} is stored in a `wh.*` or `q.*` stream: its JSON. Read back
 * through the schema, because a stream outlives the code that wrote it.
 */
export const BackendEventSchema = z.object({
  id: z.string().check(z.minLength(1), z.maxLength(128)),
  space: z.string(),
  app: z.string(),
  topic: z.string(),
  data: z.string(),
  by: z.object({
    user: z.optional(z.string()),
    device: z.optional(z.string()),
    backend: z.optional(z.literal(true)),
  }),
  time: z.number(),
});

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
