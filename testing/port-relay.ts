import { matchTopic } from '../shell/index.ts';
import { refusalOp, type Refusals } from './refusals.ts';

/** A refusal the widget received, from the broker or from a simulated rate limit. */
export interface ReceivedError {
  readonly code: string;
  readonly message: string;
  /** The topic of a refused publish. */
  readonly topic?: string;
  /** True when the simulator's relay made it (a `refuse(…, 'RATE_LIMITED')`), false when the broker did. */
  readonly simulated: boolean;
}

/** What a relay reports to its simulator. */
export interface RelayListener {
  /** The widget was sent an error operation. */
  error(error: ReceivedError): void;
  /** The broker accepted or ended one of the widget's subscriptions. */
  subscriptions(): void;
}

type Op = Record<string, unknown>;

/**
 * Sits on a widget's private channel, between the widget and the broker, on the test page.
 * Messages pass unchanged except operations a test rate-limits: those never reach the broker,
 * and the widget gets the error operation the broker would have sent, in its wire format.
 * The widget's acknowledgements of those replies are taken out again (flow control counts
 * what the broker sent). It also follows which subscriptions the broker accepted, so that a
 * test can wait until the widget listens before publishing to it.
 */
export class PortRelay {
  /** Accepted subscriptions: request id → pattern. */
  readonly subscriptions = new Map<number, string>();
  readonly #asked = new Map<number, string>();
  #injected = 0;
  #closed = false;

  constructor(
    readonly widget: MessagePort,
    readonly broker: MessagePort,
    readonly refusals: Refusals,
    readonly listener: RelayListener,
  ) {
    widget.onmessage = (event: MessageEvent) => this.#fromWidget(event.data);
    broker.onmessage = (event: MessageEvent) => this.#fromBroker(event.data);
  }

  /** True when an accepted subscription of the widget matches `topic`. */
  listensTo(topic: string): boolean {
    for (const pattern of this.subscriptions.values()) {
      if (matchTopic(pattern, topic)) return true;
    }
    return false;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.widget.close();
    this.broker.close();
  }

  #fromWidget(raw: unknown): void {
    const ops = parse(raw);
    // Junk is the broker's to refuse and count, as in production.
    if (!ops) return this.broker.postMessage(raw);
    const forward: Op[] = [];
    const replies: Op[] = [];
    let changed = false;
    for (const op of ops) {
      if (op.op === 'ack' && this.#injected > 0 && typeof op.n === 'number') {
        const ours = Math.min(this.#injected, op.n);
        this.#injected -= ours;
        changed = true;
        if (op.n > ours) forward.push({ op: 'ack', n: op.n - ours });
        continue;
      }
      if (op.op === 'cancel' && typeof op.id === 'number' && this.subscriptions.delete(op.id)) {
        this.listener.subscriptions();
      }
      const rule = this.refusals.match(op);
      if (rule) {
        changed = true;
        const publish = op.op === 'pub';
        const id = publish || typeof op.id !== 'number' ? undefined : op.id;
        replies.push(refusalOp(id, publish ? String(op.topic) : undefined));
        continue;
      }
      if (op.op === 'sub' && typeof op.id === 'number' && typeof op.pattern === 'string') {
        this.#asked.set(op.id, op.pattern);
      }
      forward.push(op);
    }
    if (forward.length > 0) this.broker.postMessage(changed ? JSON.stringify(forward) : raw);
    if (replies.length > 0) {
      this.#injected += replies.length;
      this.widget.postMessage(JSON.stringify(replies));
      for (const reply of replies) this.#reportError(reply, true);
    }
  }

  #fromBroker(raw: unknown): void {
    this.widget.postMessage(raw);
    let changed = false;
    for (const op of parse(raw) ?? []) {
      if (op.op === 'err') this.#reportError(op, false);
      if ((op.op !== 'ok' && op.op !== 'err') || typeof op.id !== 'number') continue;
      // The broker ended a live subscription (the host revoked it).
      if (op.op === 'err' && this.subscriptions.delete(op.id)) changed = true;
      const pattern = this.#asked.get(op.id);
      if (pattern === undefined) continue;
      this.#asked.delete(op.id);
      if (op.op === 'ok') {
        this.subscriptions.set(op.id, pattern);
        changed = true;
      }
    }
    if (changed) this.listener.subscriptions();
  }

  #reportError(op: Op, simulated: boolean): void {
    const error: { code: string; message: string; topic?: string; simulated: boolean } = {
      code: String(op.code),
      message: String(op.message),
      simulated,
    };
    if (typeof op.topic === 'string') error.topic = op.topic;
    this.listener.error(error);
  }
}

function parse(raw: unknown): Op[] | undefined {
  if (typeof raw !== 'string') return undefined;
  try {
    const ops: unknown = JSON.parse(raw);
    return Array.isArray(ops) && ops.every((op) => typeof op === 'object' && op !== null)
      ? (ops as Op[])
      : undefined;
  } catch {
    return undefined;
  }
}
