/// <reference lib="webworker" />
/**
 * The raw Worker relay baseline: each message on one port of a pair is forwarded to the
 * other, untouched, one `postMessage` per message. Sent `'json-microtask'` with the ports,
 * it re-encodes each message and posts it from a microtask instead (an isolation step).
 */
addEventListener('message', (event: MessageEvent) => {
  const [a, b] = event.ports;
  if (!a || !b) return;
  if (event.data === 'json-microtask') {
    // Like the broker's shape without its checks: parse, re-encode, post on a microtask.
    const relay = (to: MessagePort) => (e: MessageEvent) => {
      const out = JSON.stringify(JSON.parse(e.data as string));
      queueMicrotask(() => to.postMessage(out));
    };
    a.onmessage = relay(b);
    b.onmessage = relay(a);
    return;
  }
  a.onmessage = (e) => b.postMessage(e.data);
  b.onmessage = (e) => a.postMessage(e.data);
});
