import type { Host } from '../host/host.ts';
import type { BrokerStats, TapConnection, TapEntry, TapReport } from '../../sdk/protocol/index.ts';

/** How often the tap is read while the page is visible (the cap on what devtools costs). */
export const TAP_POLL_MS = 500;
/** Timeline entries devtools keeps; the oldest go first. */
export const TIMELINE_SIZE = 1000;

/** One connection's figures with its rates over the last read. */
export interface ConnectionView extends TapConnection {
  publishedPerSecond: number;
  receivedPerSecond: number;
}

/** Which timeline entries to show. */
export interface TimelineFilter {
  /** A substring of the topic, or a pattern with `*` segments. */
  topic?: string;
  /** Only entries this app sent or was delivered. */
  app?: string;
  /** With `app`: only what it sent, or only what reached it. */
  direction?: 'any' | 'sent' | 'received';
}

/**
 * The data behind `<mc-devtools>` (docs/devtools.md): opens the broker's tap on a Host and
 * reads it every {@link TAP_POLL_MS} while the page is visible, one comlink call each time,
 * keeping a bounded timeline and per-connection rates. Plain TypeScript: the element is a
 * view of it.
 */
export class TapReader extends EventTarget {
  /** Newest last. */
  readonly timeline: TapEntry[] = [];
  connections: ConnectionView[] = [];
  states: TapReport['states'] = [];
  stats: BrokerStats | undefined;
  /** Entries the broker's ring overwrote before they were read. */
  missed = 0;
  paused = false;
  /** Slot → app of every connection seen, for naming where events went. */
  readonly #apps = new Map<string, string>();
  #seq = 0;
  #close: (() => void) | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #lastRead = 0;
  #previous = new Map<string, TapConnection>();

  constructor(
    readonly host: Host,
    readonly pollMs = TAP_POLL_MS,
  ) {
    super();
  }

  /** Opens the tap and starts reading. */
  start(): void {
    if (this.#close) return;
    this.#close = this.host.openTap();
    void this.#poll();
  }

  /** Stops reading and closes the tap (the broker stops recording when no tap is open). */
  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#close?.();
    this.#close = undefined;
  }

  /** Forgets the timeline (the counters stay). */
  clear(): void {
    this.timeline.length = 0;
    this.missed = 0;
    this.#changed();
  }

  /** The app of a slot (its connection id), as far as the tap has seen it. */
  appOf(slot: string): string | undefined {
    return this.#apps.get(slot);
  }

  /** The timeline entries that pass `filter`, newest first, at most `max`. */
  filtered(filter: TimelineFilter, max = 100): TapEntry[] {
    const out: TapEntry[] = [];
    const topic = filter.topic?.trim() ?? '';
    const pattern = topic.includes('*') ? patternRegExp(topic) : undefined;
    for (let i = this.timeline.length - 1; i >= 0 && out.length < max; i--) {
      const entry = this.timeline[i]!;
      if (topic !== '') {
        const t = entry.topic ?? '';
        if (pattern ? !pattern.test(t) : !t.includes(topic)) continue;
      }
      if (filter.app && !this.#involves(entry, filter.app, filter.direction ?? 'any')) continue;
      out.push(entry);
    }
    return out;
  }

  #involves(entry: TapEntry, app: string, direction: 'any' | 'sent' | 'received'): boolean {
    const sent = entry.app === app;
    const received = entry.to?.some((slot) => this.#apps.get(slot) === app) ?? false;
    return direction === 'sent' ? sent : direction === 'received' ? received : sent || received;
  }

  /** Whether the tap is open (a method: a field check would stay narrowed across awaits). */
  #open(): boolean {
    return this.#close !== undefined;
  }

  async #poll(): Promise<void> {
    if (!this.#open()) return;
    if (!this.paused && document.visibilityState === 'visible') {
      try {
        const report = await this.host.readTap(this.#seq);
        if (report && this.#open()) this.#take(report);
      } catch {
        // A broker restarting: the Host replays the open tap into the new one; read again.
      }
    }
    if (this.#open()) this.#timer = setTimeout(() => void this.#poll(), this.pollMs);
  }

  #take(report: TapReport): void {
    // A new broker (after a restart) starts counting again.
    if (report.seq < this.#seq) this.#previous.clear();
    this.#seq = report.seq;
    this.missed += report.missed;
    this.timeline.push(...report.entries);
    if (this.timeline.length > TIMELINE_SIZE) {
      this.timeline.splice(0, this.timeline.length - TIMELINE_SIZE);
    }
    const now = performance.now();
    const seconds = this.#lastRead === 0 ? 0 : (now - this.#lastRead) / 1000;
    this.#lastRead = now;
    this.connections = report.connections.map((c) => {
      this.#apps.set(c.slot, c.app);
      const before = this.#previous.get(c.slot);
      const rate = (n: number, m = n) => (seconds > 0 && before ? (n - m) / seconds : 0);
      return {
        ...c,
        publishedPerSecond: rate(c.published, before?.published),
        receivedPerSecond: rate(c.received, before?.received),
      };
    });
    this.#previous = new Map(report.connections.map((c) => [c.slot, c]));
    this.states = report.states;
    this.stats = report.stats;
    this.#changed();
  }

  #changed(): void {
    this.dispatchEvent(new Event('change'));
  }
}

/** A topic pattern (`*` = one segment) as a regular expression over whole topics. */
function patternRegExp(pattern: string): RegExp {
  const segments = pattern.split('.').map((s) => (s === '*' ? '[^.]+' : escape(s)));
  return new RegExp(`^${segments.join('\\.')}$`);
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
