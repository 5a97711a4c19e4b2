import { matchTopic, type ErrorCode } from '../shell/index.ts';

/** What a widget asks the broker that a test can have refused. */
export type RefusedOp = 'publish' | 'subscribe' | 'read';
/** The codes a refusal can carry: what the broker answers for a denial or a rate limit. */
export type RefusalCode = Extract<ErrorCode, 'NOT_PERMITTED' | 'RATE_LIMITED'>;

/** One refusal in force. */
export interface Refusal {
  readonly op: RefusedOp;
  /** A topic or pattern (`publish`: `*` matches one segment), a pattern, or an app id. */
  readonly target: string;
  readonly code: RefusalCode;
}

/** What the broker says, word for word, so a widget cannot tell the simulator apart. */
const MESSAGES: Record<RefusalCode, Record<RefusedOp, string>> = {
  NOT_PERMITTED: {
    publish: 'not permitted or does not exist',
    subscribe: 'not permitted or does not exist',
    read: 'not permitted or does not exist',
  },
  RATE_LIMITED: {
    publish: 'event rate exceeded',
    subscribe: 'subscription cap',
    read: 'subscription cap',
  },
};

/** The error operation the broker would send for `refusal` (`id`: a request's). */
export function refusalOp(
  refusal: Refusal,
  id: number | undefined,
  topic?: string,
): Record<string, unknown> {
  const op: Record<string, unknown> = {
    op: 'err',
    code: refusal.code,
    message: MESSAGES[refusal.code][refusal.op],
  };
  if (id !== undefined) op.id = id;
  if (topic !== undefined) op.topic = topic;
  return op;
}

/** The refusals of one mount, matched against each operation the widget sends. */
export class Refusals {
  readonly #rules = new Set<Refusal>();

  get size(): number {
    return this.#rules.size;
  }

  /** Adds a refusal; returns the function that lifts it. */
  add(refusal: Refusal): () => void {
    this.#rules.add(refusal);
    return () => this.#rules.delete(refusal);
  }

  /** The refusal that applies to a client operation, if any. */
  match(op: {
    op?: unknown;
    topic?: unknown;
    pattern?: unknown;
    app?: unknown;
  }): Refusal | undefined {
    for (const rule of this.#rules) {
      if (rule.op === 'publish' && op.op === 'pub' && typeof op.topic === 'string') {
        if (matchTopic(rule.target, op.topic)) return rule;
      } else if (rule.op === 'subscribe' && op.op === 'sub' && typeof op.pattern === 'string') {
        if (rule.target === op.pattern || matchTopic(rule.target, op.pattern)) return rule;
      } else if (rule.op === 'read' && (op.op === 'get' || op.op === 'watch')) {
        if (rule.target === op.app) return rule;
      }
    }
    return undefined;
  }
}
