/**
 * Why a flooder's suspension stalls the broker: closing a started MessagePort that has a
 * backlog of queued messages frees that backlog synchronously on the closing thread.
 * Handing the port to another thread first is O(1) for the sender. Measured with plain
 * Workers (no shell code): the page queues `n` small strings on a port a Worker holds while
 * that Worker is busy, then the Worker closes it, or transfers it to a second Worker.
 */
function once(worker: Worker, accept: (data: unknown) => boolean): Promise<unknown> {
  return new Promise((resolve) => {
    const listener = (event: MessageEvent) => {
      if (!accept(event.data)) return;
      worker.removeEventListener('message', listener);
      resolve(event.data);
    };
    worker.addEventListener('message', listener);
  });
}

const url = new URL('./port-close-worker.ts', import.meta.url);

async function trial(
  how: 'close' | 'transfer',
  n: number,
): Promise<{ ms: number; reaperMs?: number }> {
  const holder = new Worker(url, { type: 'module' });
  const reaper = new Worker(url, { type: 'module' });
  const data = new MessageChannel();
  const link = new MessageChannel();
  // The reaper gets ports from the holder over `link`.
  link.port2.onmessage = (event) => reaper.postMessage({ cmd: 'reap' }, [event.ports[0]!]);
  holder.postMessage({ cmd: 'hold' }, [data.port1, link.port1]);
  await once(holder, (d) => d === 'held');
  const flag = new Int32Array(new SharedArrayBuffer(4));
  holder.postMessage({ cmd: how, flag });
  await once(holder, (d) => d === 'busy');
  for (let i = 0; i < n; i++)
    data.port2.postMessage(`[{"op":"pub","topic":"benchx.flood.sent","data":${i}}]`);
  Atomics.store(flag, 0, 1);
  const { ms } = (await once(holder, (d) => typeof d === 'object' && d !== null && 'ms' in d)) as {
    ms: number;
  };
  let reaperMs: number | undefined;
  if (how === 'transfer') {
    reaperMs = (
      (await once(reaper, (d) => typeof d === 'object' && d !== null)) as { closeMs: number }
    ).closeMs;
  }
  holder.terminate();
  reaper.terminate();
  return reaperMs === undefined ? { ms } : { ms, reaperMs };
}

/** ms the holding thread is blocked by `close()` vs by transferring the port away. */
export async function portCloseCost(n = 20_000): Promise<Record<string, number>> {
  const closed = await trial('close', n);
  const moved = await trial('transfer', n);
  return {
    [`close() of a started port with ${n.toLocaleString('en-US')} queued messages: ms blocked`]:
      closed.ms,
    [`transfer of that port to another Worker instead: ms blocked`]: moved.ms,
    [`  … where the receiving Worker's close() then took (ms)`]: moved.reaperMs ?? Number.NaN,
  };
}
