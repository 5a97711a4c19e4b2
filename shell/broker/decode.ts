import {
  checkBounds,
  ClientOpSchema,
  MAX_BATCH_BYTES,
  MAX_OPS_PER_BATCH,
  RequestId,
  type AckOp,
  type AppLimits,
  type ClientOp,
  type PublishOp,
} from '../../sdk/protocol/index.ts';
import { guardHotOp } from '../../sdk/protocol/guard-hot-op.ts';
import type { ViolationKind } from './violations.ts';

/** A refused message or operation. */
export interface Rejection {
  kind: ViolationKind;
  detail: string;
  /** The id of a refused request (`sub`, `get`, `watch`), when it has a valid one. */
  id?: number;
}

/** The outcome of reading one port message: the valid operations and what was refused. */
export interface DecodedBatch {
  ops: ClientOp[];
  rejected: Rejection[];
}

/**
 * Reads one port message from an untrusted client: type and size before parsing, then
 * bounds, then the schema, one operation at a time. Never throws. `pub` and `ack` (nearly
 * all traffic) are checked by a hand-written guard first; anything it does not accept goes
 * the general way, so verdicts and refusal messages are those of the schema.
 */
export function decodeBatch(raw: unknown, limits: AppLimits): DecodedBatch {
  if (typeof raw !== 'string') {
    return {
      ops: [],
      rejected: [{ kind: 'malformed', detail: `port message is ${describe(raw)}` }],
    };
  }
  if (raw.length > MAX_BATCH_BYTES) {
    return { ops: [], rejected: [{ kind: 'too-large', detail: `${raw.length} bytes` }] };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return { ops: [], rejected: [{ kind: 'malformed', detail: 'not JSON' }] };
  }
  if (!Array.isArray(parsed) || parsed.length > MAX_OPS_PER_BATCH) {
    return { ops: [], rejected: [{ kind: 'malformed', detail: 'not a batch' }] };
  }
  const ops: ClientOp[] = [];
  const rejected: Rejection[] = [];
  for (const item of parsed as unknown[]) {
    const hot = guardHotOp(item);
    if (hot) {
      const broken = hotBounds(hot, limits);
      if (broken) rejected.push({ kind: 'bounds', detail: `payload exceeds ${broken} bound` });
      else ops.push(hot);
      continue;
    }
    // The op envelope adds one level above the payload.
    const broken = checkBounds(item, limits.maxDepth + 1, limits.maxNodes);
    if (broken) {
      rejected.push(withId(item, { kind: 'bounds', detail: `payload exceeds ${broken} bound` }));
      continue;
    }
    const result = ClientOpSchema.safeParse(item);
    if (result.success) ops.push(result.data);
    else {
      const detail = result.error.issues[0]?.message ?? 'invalid';
      rejected.push(withId(item, { kind: 'malformed', detail }));
    }
  }
  return { ops, rejected };
}

/**
 * {@link checkBounds} of a valid `pub` or `ack` envelope, with the verdict the walk of the
 * whole operation would give, but walking the payload alone: the envelope's fields are
 * known to be a string and a finite number, its keys count as nodes, and the payload sits
 * one level below it. A scalar payload is not walked at all.
 */
function hotBounds(op: PublishOp | AckOp, limits: AppLimits): ReturnType<typeof checkBounds> {
  if (limits.maxDepth + 1 <= 0) return 'depth';
  const hasData = op.op === 'pub' && Object.hasOwn(op, 'data');
  const keys = hasData ? 3 : 2;
  if (keys > limits.maxNodes) return 'nodes';
  if (!hasData) return null;
  const data = (op as PublishOp).data;
  if (data === null || typeof data === 'string' || typeof data === 'boolean') return null;
  if (typeof data === 'number') return Number.isFinite(data) ? null : 'type';
  return checkBounds(data, limits.maxDepth, limits.maxNodes - keys);
}

/**
 * Adds the request id of a refused `sub`, `get` or `watch` whose id is valid, so that the
 * refusal answers that request: without it the caller waits for its deadline.
 */
function withId(item: unknown, rejection: Rejection): Rejection {
  const { op, id } = (item ?? {}) as { op?: unknown; id?: unknown };
  const request = op === 'sub' || op === 'get' || op === 'watch';
  return request && RequestId.safeParse(id).success
    ? { ...rejection, id: id as number }
    : rejection;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') return typeof value;
  return Object.prototype.toString.call(value).slice(8, -1);
}
