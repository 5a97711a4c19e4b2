import { isTopic } from './topics.ts';
import type { BrokerOp } from './broker-ops.ts';

/**
 * The SDK's one decoder of what the broker sends: a port message is a JSON array of
 * {@link BrokerOp}s; `each` gets those that pass {@link isBrokerOp}, in order. Returns how
 * many operations the message held, valid or not: that is what the client acknowledges
 * (flow control counts what the broker sent). Never throws.
 */
export function decodeBrokerBatch(raw: unknown, each: (op: BrokerOp) => void): number {
  let ops: unknown;
  try {
    ops = typeof raw === 'string' ? JSON.parse(raw) : 0;
  } catch {
    return 0;
  }
  if (!Array.isArray(ops)) return 0;
  for (const op of ops) if (isBrokerOp(op)) each(op);
  return ops.length;
}

/**
 * A hand-written check with the type of `BrokerOpSchema` (a type test in test/types/ holds
 * the two equal; a unit test runs both over the same table). Written by hand because the SDK
 * ships in every widget and carries no zod. One difference, on purpose: `code` (and a
 * refusal's `operation`) is checked to be a string, not one of `ERROR_CODES` (or
 * `RefusedOperation`) — the list would cost the SDK a quarter KiB, the broker writes them
 * only through the typed {@link encodeBrokerOp}, and `hello` refuses a broker of another
 * protocol version.
 */
export function isBrokerOp(value: unknown): value is BrokerOp {
  if (typeof value !== 'object' || value === null) return false;
  const o = value as Record<string, unknown>;
  switch (o.op) {
    case 'evt':
      return knownTopic(o.topic) && typeof o.source === 'string';
    case 'state':
      return isCount(o.id) && typeof o.app === 'string' && isCount(o.version) && 'value' in o;
    case 'ok':
      return isCount(o.id);
    case 'err':
      return (
        (o.id === undefined || isCount(o.id)) &&
        typeof o.code === 'string' &&
        typeof o.message === 'string' &&
        (o.topic === undefined || typeof o.topic === 'string') &&
        (o.operation === undefined || typeof o.operation === 'string') &&
        (o.target === undefined || typeof o.target === 'string')
      );
    case 'gap':
      return isCount(o.dropped) && o.dropped > 0;
  }
  return false;
}

/**
 * The last topic found valid. A burst repeats one topic, and the grammar's regular expression
 * is most of what checking an event costs (about a tenth of receiving one): comparing with
 * the last good topic first saves it. A string compare, so it proves the same thing.
 */
let lastTopic: unknown;
function knownTopic(topic: unknown): boolean {
  if (topic === lastTopic) return true;
  if (!isTopic(topic)) return false;
  lastTopic = topic;
  return true;
}

/** A request id, a version or a count: a non-negative safe integer. */
function isCount(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}
