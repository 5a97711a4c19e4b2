/// <reference lib="webworker" />
/**
 * The raw Worker relay baseline: each message on one port of a pair is forwarded to the
 * other, untouched, one `postMessage` per message.
 */
addEventListener('message', (event: MessageEvent) => {
  const [a, b] = event.ports;
  if (!a || !b) return;
  a.onmessage = (e) => b.postMessage(e.data);
  b.onmessage = (e) => a.postMessage(e.data);
});
