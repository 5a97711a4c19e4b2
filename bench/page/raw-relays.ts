import { command, take } from './inbox.ts';

/** The raw paths measured beside microcanvas. */
export type RawTransport = 'window' | 'port-host' | 'port-worker' | 'worker-json' | 'direct';

export const TRANSPORT_LABEL: Record<RawTransport, string> = {
  window: 'raw relay A → host → B, window.postMessage',
  'port-host': 'raw relay A → host → B, MessagePorts',
  'port-worker': 'raw relay A → Worker → B, MessagePorts',
  'worker-json': 'raw Worker relay + JSON re-encode + microtask post',
  direct: 'raw MessageChannel A ⇄ B (no relay)',
};

let relayWorker: Worker | undefined;

function worker(): Worker {
  relayWorker ??= new Worker(new URL('./relay-worker.ts', import.meta.url), {
    type: 'module',
    name: 'raw-relay',
  });
  return relayWorker;
}

/**
 * Wires two raw frames over `transport` (A pings, B echoes) and waits until both have
 * attached. The host-side relays forward `event.data` untouched, one message per message.
 */
export async function wireRawPair(transport: RawTransport, a: Window, b: Window): Promise<void> {
  const attach = (win: Window, role: string, port?: MessagePort) =>
    command(win, 'attach', { transport, role }, port ? [port] : []);
  if (transport === 'window') {
    addEventListener('message', (event: MessageEvent) => {
      if (typeof event.data !== 'string') return;
      if (event.source === a) b.postMessage(event.data, '*');
      else if (event.source === b) a.postMessage(event.data, '*');
    });
    attach(a, 'pinger');
    attach(b, 'echoer');
  } else if (transport === 'direct') {
    const { port1, port2 } = new MessageChannel();
    attach(a, 'pinger', port1);
    attach(b, 'echoer', port2);
  } else {
    const ca = new MessageChannel();
    const cb = new MessageChannel();
    if (transport === 'port-host') {
      ca.port1.onmessage = (e) => cb.port1.postMessage(e.data);
      cb.port1.onmessage = (e) => ca.port1.postMessage(e.data);
    } else {
      worker().postMessage(transport === 'worker-json' ? 'json-microtask' : null, [
        ca.port1,
        cb.port1,
      ]);
    }
    attach(a, 'pinger', ca.port2);
    attach(b, 'echoer', cb.port2);
  }
  await Promise.all([take(a, 'init-done'), take(b, 'init-done')]);
}
