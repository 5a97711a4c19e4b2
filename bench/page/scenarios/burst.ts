import { command, take } from '../inbox.ts';
import { median, sleep } from '../stats.ts';

/** A burst path: the sending frame and how it sends. */
export interface BurstPath {
  name: string;
  sender: Window;
  /** Publishes per microtask turn (microcanvas only: one SDK batch per turn). */
  perTurn?: number;
}

/** One burst: msg/s from the sender's first publish to the receiver's "all arrived". */
export interface BurstRun {
  msgPerSec?: number;
  /** Events the receiver got, and events the broker dropped for it (microcanvas only). */
  delivered?: number;
  dropped?: number;
  ms?: number;
  postedMs?: number;
  error?: string;
  errors?: string[];
}

export async function burstOnce(path: BurstPath, n: number): Promise<BurstRun> {
  command(path.sender, 'burst', { n, perTurn: path.perTurn ?? n });
  const r = await take(path.sender, 'burst', 60_000);
  if (typeof r.ms !== 'number') {
    return { error: String(r.error), errors: r.errors as string[], postedMs: r.posted as number };
  }
  const delivered = typeof r.delivered === 'number' ? r.delivered : n;
  const dropped = typeof r.dropped === 'number' ? r.dropped : 0;
  return {
    msgPerSec: (delivered / r.ms) * 1000,
    ms: r.ms,
    postedMs: r.posted as number,
    delivered,
    dropped,
  };
}

/**
 * Scenario 2: `n` small events A → B as fast as the sender can post them; the receiver
 * counts and answers once (that one extra hop is included and negligible at this size).
 * Paths alternate within each repeat; the median of the repeats is reported.
 */
export async function measureBurst(
  paths: readonly BurstPath[],
  { n, repeats, warmupN }: { n: number; repeats: number; warmupN: number },
  log: (line: string) => void,
): Promise<Record<string, { median: number; runs: BurstRun[] }>> {
  const runs = new Map<string, BurstRun[]>(paths.map((p) => [p.name, []]));
  for (const path of paths) await burstOnce(path, warmupN);
  for (let r = 0; r < repeats; r++) {
    for (let k = 0; k < paths.length; k++) {
      const path = paths[(k + r) % paths.length]!;
      runs.get(path.name)!.push(await burstOnce(path, n));
      await sleep(100);
    }
    log(`burst repeat ${r + 1}/${repeats}`);
  }
  return Object.fromEntries(
    [...runs].map(([name, list]) => [
      name,
      { median: median(list.map((x) => x.msgPerSec ?? 0)), runs: list },
    ]),
  );
}
