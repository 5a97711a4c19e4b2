import { matchTopic, refusalMessage, type ErrorCode } from '../shell/index.ts';

/** What a widget asks that a test can have refused: broker operations, or a host service call. */
export type RefusedOp = 'publish' | 'subscribe' | 'read' | 'call';
/** The codes a refusal can carry: what the broker answers for a denial or a rate limit. */
export type RefusalCode = Extract<ErrorCode, 'NOT_PERMITTED' | 'RATE_LIMITED'>;

/** One rate limit a test put in force (denials are the host's own revocations). */
export interface Refusal {
  readonly op: Exclude<RefusedOp, 'call'>;
  /** A topic or pattern (`publish`: `*` matches one segment), a pattern, or an app id. */
  readonly target: string;
}

/**
 * The error operation the broker sends when it rate-limits: a publish is named
 * (`publish "a.b.c": event rate exceeded`, with its topic), a request answered by its id.
 */
export function refusalOp(id: number | undefined, topic?: string): Record<string, unknown> {
  if (topic === undefined) return { op: 'err', id, code: 'RATE_LIMITED', message: 'rate exceeded' };
  return {
    op: 'err',
    code: 'RATE_LIMITED',
    message: refusalMessage('publish', topic, 'event rate exceeded'),
    topic,
    operation: 'publish',
    target: topic,
  };
}

/** The rate limits of one mount, matched against each operation the widget sends. */
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
