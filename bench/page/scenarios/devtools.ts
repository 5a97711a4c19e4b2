import type { Host } from '../../../shell/host/host.ts';
import { loadDevtools } from '../../../shell/elements/lazy-views.ts';
import { median, sleep, summarize, type Summary } from '../stats.ts';
import { ping } from './rtt.ts';

/** One side of the devtools scenario: its samples' summary and each round's median. */
export type DevtoolsSide = Summary & { roundMedians: number[] };

/**
 * Scenario 5 (docs/devtools.md): the microcanvas round trip with `<mc-devtools>` closed and
 * open on the same host, in alternating order round by round (so drift hits both alike).
 * Open means the element is in the document: the broker's tap records every event and the
 * panel reads it every 500 ms and renders.
 */
export async function measureDevtools(
  host: Host,
  pinger: Window,
  { rounds, n, warmup }: { rounds: number; n: number; warmup: number },
  log: (line: string) => void,
): Promise<{ closed: DevtoolsSide; open: DevtoolsSide }> {
  await loadDevtools();
  const panel = document.createElement('mc-devtools');
  panel.host = host;
  // In view, as a person would have it: an off-screen panel would cost less than a real one.
  panel.style.cssText = 'position:fixed;top:0;left:0;width:900px;z-index:10';
  const samples = { closed: [] as number[], open: [] as number[] };
  const medians = { closed: [] as number[], open: [] as number[] };
  await ping(pinger, warmup);
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? (['closed', 'open'] as const) : (['open', 'closed'] as const);
    for (const side of order) {
      if (side === 'open') document.body.append(panel);
      else panel.remove();
      // The tap's opening or closing reaches the broker before the pings do.
      await host.readTap(0);
      const { rtt } = await ping(pinger, n);
      samples[side].push(...rtt);
      medians[side].push(median(rtt));
      await sleep(20);
    }
    log(`devtools round ${round + 1}/${rounds}`);
  }
  panel.remove();
  return {
    closed: { ...summarize(samples.closed), roundMedians: medians.closed },
    open: { ...summarize(samples.open), roundMedians: medians.open },
  };
}
