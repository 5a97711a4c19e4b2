/**
 * Reports from fixture frames (`{ bench: kind, ... }` window messages), kept per source
 * window until someone takes them, so a report that arrives early is not lost.
 */
export type Report = Record<string, unknown> & { bench: string };

interface Waiter {
  source: MessageEventSource;
  kind: string;
  resolve(report: Report): void;
}

const buffered: { source: MessageEventSource; report: Report }[] = [];
const waiters: Waiter[] = [];

addEventListener('message', (event: MessageEvent) => {
  const data = event.data as Partial<Report> | null;
  if (!event.source || typeof data !== 'object' || data === null) return;
  if (typeof data.bench !== 'string' || data.bench === 'cmd') return;
  const report = data as Report;
  if (report.bench === 'error') console.error('fixture error', report.message);
  const index = waiters.findIndex((w) => w.source === event.source && w.kind === report.bench);
  if (index >= 0) waiters.splice(index, 1)[0]!.resolve(report);
  else buffered.push({ source: event.source, report });
});

/** The next report of `kind` from `source`, or a rejection after `ms`. */
export function take(source: MessageEventSource, kind: string, ms = 20000): Promise<Report> {
  const index = buffered.findIndex((b) => b.source === source && b.report.bench === kind);
  if (index >= 0) return Promise.resolve(buffered.splice(index, 1)[0]!.report);
  return new Promise((resolve, reject) => {
    const waiter: Waiter = {
      source,
      kind,
      resolve: (report) => {
        clearTimeout(timer);
        resolve(report);
      },
    };
    const timer = setTimeout(() => {
      waiters.splice(waiters.indexOf(waiter), 1);
      reject(new Error(`no "${kind}" report within ${ms} ms`));
    }, ms);
    waiters.push(waiter);
  });
}

/** Sends a command to a fixture frame. */
export function command(
  target: Window,
  cmd: string,
  args: Record<string, unknown> = {},
  transfer: Transferable[] = [],
): void {
  target.postMessage({ bench: 'cmd', cmd, ...args }, '*', transfer);
}

/** Forgets buffered reports of `source` (a frame that is going away). */
export function forget(source: MessageEventSource): void {
  for (let i = buffered.length - 1; i >= 0; i--) {
    if (buffered[i]!.source === source) buffered.splice(i, 1);
  }
}
