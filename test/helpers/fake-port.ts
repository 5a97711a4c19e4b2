import type { BrokerPort } from '../../shell/broker/broker-port.ts';

/** One end of an in-memory port pair: delivery is asynchronous, like a real MessagePort. */
export class FakePort implements BrokerPort {
  onmessage: ((event: MessageEvent) => void) | null = null;
  peer: FakePort | undefined;
  closed = false;
  /** Acknowledge every batch received, like the SDK does. */
  autoAck = true;
  /** Every message sent to this end, parsed, for assertions. */
  readonly received: unknown[] = [];

  postMessage(message: unknown): void {
    if (this.closed) return;
    const target = this.peer;
    queueMicrotask(() => {
      if (!target || target.closed) return;
      const parsed = parseOrKeep(message);
      target.received.push(parsed);
      target.onmessage?.(new MessageEvent('message', { data: message }));
      if (target.autoAck && !target.onmessage && Array.isArray(parsed) && parsed.length > 0) {
        target.postMessage(JSON.stringify([{ op: 'ack', n: parsed.length }]));
      }
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
