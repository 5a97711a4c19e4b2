import { isTopic } from './topics.ts';
import type { AckOp, PublishOp } from './wire.ts';

const MAX_ACK = 1_000_000;

/**
 * A hand-written check for the two operations on the broker's hot path, `pub` and `ack`,
 * exactly as strict as {@link PublishOpSchema} and {@link AckOpSchema}: a plain object with
 * no key besides the declared ones (so `source` or `__proto__` is refused), a topic in the
 * grammar, an ack count that is an integer in 1..1,000,000.
 *
 * It only ever accepts: null means "not a valid pub or ack", and the caller then asks the
 * zod schema, which decides everything else (and words the refusal). Payload bounds are not
 * checked here (the caller checks `data` alone, which is cheaper than walking the envelope).
 * Zod costs ~80 ns a call and allocates a copy; this is a few property reads.
 */
export function guardHotOp(item: unknown): PublishOp | AckOp | null {
  if (typeof item !== 'object' || item === null) return null;
  // Only what JSON.parse makes: arrays, class instances and exotic objects go to zod.
  const proto = Object.getPrototypeOf(item) as unknown;
  if (proto !== Object.prototype && proto !== null) return null;
  const o = item as Record<string, unknown>;
  // `for…in`, as zod's strict objects use: an inherited enumerable key is refused too.
  if (o.op === 'pub') {
    for (const key in o) {
      if (key !== 'op' && key !== 'topic' && key !== 'data') return null;
    }
    if (!Object.hasOwn(o, 'op') || !Object.hasOwn(o, 'topic')) return null;
    return isTopic(o.topic) ? (o as PublishOp) : null;
  }
  if (o.op === 'ack') {
    for (const key in o) {
      if (key !== 'op' && key !== 'n') return null;
    }
    const n = o.n;
    if (!Object.hasOwn(o, 'op') || !Object.hasOwn(o, 'n')) return null;
    return typeof n === 'number' && Number.isSafeInteger(n) && n > 0 && n <= MAX_ACK
      ? (o as AckOp)
      : null;
  }
  return null;
}
