/**
 * Test instrumentation of the consumer app, loaded before microcanvas: every MessagePort
 * the page transfers to a Worker is swapped for one end of a relay channel whose other end
 * stays in this page, so the page sees the `close` event when the Worker side (the broker,
 * through its port reaper) closes the port. The relay forwards messages both ways, so the
 * app behaves as without it.
 */

/** One port handed to a Worker: the comlink call it went with, and whether it was closed. */
export interface WatchedPort {
  call: string;
  args: unknown[];
  closed: boolean;
}

/** Every port the page handed to a Worker, in order. */
export const watched: WatchedPort[] = [];

/** A comlink call as it crosses `postMessage` (only the fields we read). */
interface WireCall {
  path?: string[];
  argumentList?: Array<{ value?: unknown }>;
}

function relay(port: MessagePort, entry: WatchedPort): MessagePort {
  const { port1, port2 } = new MessageChannel();
  port.onmessage = (event) => port2.postMessage(event.data, [...event.ports]);
  port2.onmessage = (event) => port.postMessage(event.data, [...event.ports]);
  port2.addEventListener('close', () => {
    entry.closed = true;
  });
  return port1;
}

const post = Worker.prototype.postMessage as (
  this: Worker,
  message: unknown,
  transfer: Transferable[],
) => void;
Worker.prototype.postMessage = function (
  this: Worker,
  message: unknown,
  options?: Transferable[] | StructuredSerializeOptions,
) {
  const transfer = Array.isArray(options) ? options : (options?.transfer ?? []);
  const ports = transfer.filter((t): t is MessagePort => t instanceof MessagePort);
  if (ports.length === 0) return post.call(this, message, transfer);
  const call = message as WireCall;
  const args = (call.argumentList ?? []).map((a) => a.value);
  const swapped = new Map<MessagePort, MessagePort>();
  for (const port of ports) {
    const entry: WatchedPort = {
      call: (call.path ?? []).join('.'),
      args: args.filter((a) => !(a instanceof MessagePort)),
      closed: false,
    };
    watched.push(entry);
    swapped.set(port, relay(port, entry));
  }
  for (const arg of call.argumentList ?? []) {
    if (arg.value instanceof MessagePort) arg.value = swapped.get(arg.value) ?? arg.value;
  }
  return post.call(
    this,
    message,
    transfer.map((t) => (t instanceof MessagePort ? (swapped.get(t) ?? t) : t)),
  );
};
