/// <reference lib="webworker" />
/**
 * The port-close experiment's Worker. It holds a started port, stays busy while the page
 * queues messages on it, then either closes it or transfers it elsewhere, and reports how
 * long that one call blocked this thread.
 */
let held: MessagePort | undefined;
let reaper: MessagePort | undefined;

addEventListener('message', (event: MessageEvent) => {
  const { cmd, flag } = event.data as { cmd: string; flag?: Int32Array };
  if (cmd === 'hold') {
    held = event.ports[0]!;
    held.onmessage = () => {};
    reaper = event.ports[1];
    postMessage('held');
    return;
  }
  if (cmd === 'reap') {
    // As the reaper: close what arrives and say how long closing took here.
    const port = event.ports[0]!;
    const t0 = performance.now();
    port.close();
    postMessage({ closeMs: performance.now() - t0 });
    return;
  }
  // Busy until the page has queued everything, so nothing was read.
  postMessage('busy');
  while (Atomics.load(flag!, 0) === 0) {
    /* spin */
  }
  const t0 = performance.now();
  if (cmd === 'close') held!.close();
  else reaper!.postMessage(null, [held!]);
  postMessage({ ms: performance.now() - t0 });
});
