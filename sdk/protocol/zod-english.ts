import * as z from 'zod/mini';
import { en } from 'zod/locales';

let configured = false;

/**
 * Returns `schema` after switching zod's messages to English, once per realm. Classic zod
 * does this when it is imported; zod/mini leaves every message as "Invalid input", and the
 * messages are what `INVALID_MANIFEST`, the host context and the broker's refusals show.
 * A call on each exported schema (not a bare side-effect import, which `sideEffects` in
 * package.json would let bundlers drop) guarantees the host page and the broker Worker both
 * carry it. The SDK imports no schema, so it stays without zod.
 */
export function english<T>(schema: T): T {
  if (!configured) {
    z.config(en());
    configured = true;
  }
  return schema;
}
