import {
  checkBounds,
  ClientOpSchema,
  MAX_BATCH_BYTES,
  MAX_OPS_PER_BATCH,
  type AppLimits,
  type ClientOp,
} from '../../sdk/protocol/index.ts';
import type { ViolationKind } from './violations.ts';

/** A refused message or operation. */
export interface Rejection {
  kind: ViolationKind;
  detail: string;
}

/** The outcome of reading one port message: the valid operations and what was refused. */
export interface DecodedBatch {
  ops: ClientOp[];
  rejected: Rejection[];
}

/**
 * Reads one port message from an untrusted client: type and size before parsing, then
 * bounds, then the schema, one operation at a time. Never throws.
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
    // The op envelope adds one level above the payload.
    const broken = checkBounds(item, limits.maxDepth + 1, limits.maxNodes);
    if (broken) {
      rejected.push({ kind: 'bounds', detail: `payload exceeds ${broken} bound` });
      continue;
    }
    const result = ClientOpSchema.safeParse(item);
    if (result.success) ops.push(result.data);
    else rejected.push({ kind: 'malformed', detail: result.error.issues[0]?.message ?? 'invalid' });
  }
  return { ops, rejected };
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') return typeof value;
  return Object.prototype.toString.call(value).slice(8, -1);
}
