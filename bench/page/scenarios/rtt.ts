import { command, take } from '../inbox.ts';
import { median, sleep, summarize, type Summary } from '../stats.ts';

/** A round-trip path: the frame that pings, and a label. */
export interface PingPath {
  name: string;
  pinger: Window;
}

/** Runs `n` sequential round trips on one path; the samples in ms. */
export async function ping(
  pinger: Window,
  n: number,
): Promise<{ rtt: number[]; at: number[]; lost: number }> {
  command(pinger, 'ping', { n });
  const report = await take(pinger, 'rtt', 300_000);
  return { rtt: report.rtt as number[], at: report.at as number[], lost: Number(report.lost ?? 0) };
}

/**
 * Scenario 1: every path warmed up, then `rounds` rounds of `n` round trips, the paths in a
 * rotating order within each round so drift on the machine hits them alike.
 */
export async function measureRtt(
  paths: readonly PingPath[],
  { rounds, n, warmup }: { rounds: number; n: number; warmup: number },
  log: (line: string) => void,
): Promise<Record<string, Summary & { roundMedians: number[] }>> {
  const samples = new Map<string, number[]>(paths.map((p) => [p.name, []]));
  const roundMedians = new Map<string, number[]>(paths.map((p) => [p.name, []]));
  for (const path of paths) await ping(path.pinger, warmup);
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < paths.length; k++) {
      const path = paths[(k + round) % paths.length]!;
      const { rtt } = await ping(path.pinger, n);
      samples.get(path.name)!.push(...rtt);
      roundMedians.get(path.name)!.push(median(rtt));
      await sleep(20);
    }
    log(`rtt round ${round + 1}/${rounds}`);
  }
  return Object.fromEntries(
    [...samples].map(([name, s]) => [
      name,
      { ...summarize(s), roundMedians: roundMedians.get(name)! },
    ]),
  );
}
