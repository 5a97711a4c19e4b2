import type { BrokerOp, EventOp } from './broker-ops.ts';

/**
 * The one way the broker writes an operation for a client: `JSON.stringify` of a
 * {@link BrokerOp}, so every reply is built against the schema's type and a change to a
 * message's shape fails `tsc` here and in the SDK that reads it.
 *
 * Events, the hot path, are written without building the JSON object: the topic and the
 * source are in the topic grammar (lowercase ASCII, digits, `.`, `_`, `-`) and need no
 * escaping, so only the payload is serialized. The output is byte for byte what
 * `JSON.stringify` gives (a unit test holds it to that, and to the schema).
 */
export function encodeBrokerOp(op: BrokerOp): string {
  return op.op === 'evt' ? encodeEvent(op) : JSON.stringify(op);
}

function encodeEvent({ topic, source, data }: EventOp): string {
  const head = `{"op":"evt","topic":"${topic}","source":"${source}"`;
  const body = data === undefined ? undefined : JSON.stringify(data);
  return body === undefined ? `${head}}` : `${head},"data":${body}}`;
}
