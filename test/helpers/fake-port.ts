import type { BrokerPort } from '../../shell/broker/broker-port.ts';

/** One end of an in-memory port pair: delivery is asynchronous, like a real MessagePort. */
export class FakePort implements BrokerPort {
  onmessage: ((event: MessageEvent) => void) | null = null;
  peer: FakePort | undefined;
  closed = false;
  /** Every message sent to this end, parsed, for assertions. */
  readonly received: unknown[] = [];

  postMessage(message: unknown): void {
    if (this.closed) return;
    const target = this.peer;
    queueMicrotask(() => {
      if (!target || target.closed) return;
      target.received.push(parseOrKeep(message));
      target.onmessage?.(new MessageEvent('message', { data: message }));
    });
  }

  close(): void {
    this.closed = true;
  }

  /** Flattens received batches into operations. */
  ops(): Array<Record<string, unknown>> {
    return this.received.flatMap((batch) =>
      Array.isArray(batch) ? (batch as Array<Record<string, unknown>>) : [],
    );
  }
}

/** A connected pair: `[brokerSide, clientSide]`. */
export function fakePortPair(): [FakePort, FakePort] {
  const a = new FakePort();
  const b = new FakePort();
  a.peer = b;
  b.peer = a;
  return [a, b];
}

/** Lets queued microtasks and one macrotask run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

function parseOrKeep(message: unknown): unknown {
  try {
    return typeof message === 'string' ? JSON.parse(message) : message;
  } catch {
    return message;
  }
}
