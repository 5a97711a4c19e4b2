import type {
  BrokerStats,
  StateSnapshot,
  TapConnection,
  TapEntry,
  TapReport,
  Violation,
} from '../../sdk/protocol/index.ts';
import type { Connection } from './connection.ts';

/** Timeline entries the tap keeps; older ones are overwritten (a read says how many it missed). */
export const TAP_SIZE = 2000;
/** Entries one read returns at most: the newest, when more are waiting. */
export const TAP_READ_MAX = 200;
/** The longest public state preview, in characters. */
const PREVIEW_CHARS = 200;

/**
 * What `<mc-devtools>` sees of the broker (docs/devtools.md): a bounded ring of what the
 * broker decided (each event with the slots it went to, each state version, each refusal)
 * and per-connection counters. The broker creates one only while a devtools is open, and
 * costs nothing else without one: a single `undefined` check per publish. It is read, never
 * pushed: the host pulls at its own capped rate.
 */
export class Tap {
  readonly #ring: Array<TapEntry | undefined> = new Array<TapEntry | undefined>(TAP_SIZE);
  #seq = 0;
  readonly #counts = new Map<string, { published: number; received: number }>();
  /** Per app, the version its preview was made from: a state is serialized once per version. */
  readonly #previews = new Map<string, { version: number; preview: string }>();

  /**
   * An event from `from` on `topic` (`part`: as encoded for subscribers), queued for the
   * slots `to`, dropped for `dropped`.
   */
  event(
    from: Pick<Connection, 'id' | 'appId'>,
    topic: string,
    part: string,
    to: string[],
    dropped: string[],
  ): void {
    const entry: TapEntry = this.#entry('event', from.appId, from.id);
    entry.topic = topic;
    entry.bytes = part.length;
    // The payload as the subscribers got it (encodeBrokerOp writes `data` last), cut short.
    const at = part.indexOf(',"data":');
    if (at >= 0)
      entry.data = cut(part.slice(at + 8, Math.min(part.length - 1, at + 9 + PREVIEW_CHARS)));
    entry.to = to;
    if (dropped.length > 0) entry.dropped = dropped;
    this.#count(from.id).published++;
    for (const slot of to) this.#count(slot).received++;
  }

  /** A new version of `app`'s public state, set through `slot`. */
  state(app: string, slot: string, version: number): void {
    this.#entry('state', app, slot).version = version;
  }

  /** Something the broker refused. */
  refused(violation: Violation): void {
    const entry = this.#entry('refused', violation.app, violation.connection);
    if (violation.topic !== undefined) entry.topic = violation.topic;
    entry.reason = `${violation.kind}: ${violation.detail}`;
  }

  /** What is newer than `since`, with the connections' figures and the states now. */
  read(
    since: number,
    connections: Iterable<Connection>,
    states: readonly StateSnapshot[],
    stats: BrokerStats,
  ): TapReport {
    const from = Math.max(since + 1, this.#seq - Math.min(TAP_SIZE, TAP_READ_MAX) + 1, 1);
    const entries: TapEntry[] = [];
    for (let seq = from; seq <= this.#seq; seq++) entries.push(this.#ring[seq % TAP_SIZE]!);
    const conns: TapConnection[] = [];
    for (const c of connections) {
      const counts = this.#counts.get(c.id);
      conns.push({
        slot: c.id,
        app: c.appId,
        published: counts?.published ?? 0,
        received: counts?.received ?? 0,
        queued: c.queued,
        unacked: c.unacked,
        rttMs: c.rttMs,
        dropped: c.dropped,
        subscriptions: c.subscriptions.size,
        watches: c.watches.size,
      });
    }
    return {
      seq: this.#seq,
      missed: Math.max(0, from - Math.max(since, 0) - 1),
      entries,
      connections: conns,
      states: states.map((s) => ({ app: s.app, version: s.version, preview: this.#preview(s) })),
      stats,
    };
  }

  #entry(kind: TapEntry['kind'], app: string, slot: string): TapEntry {
    const entry: TapEntry = { seq: ++this.#seq, time: Date.now(), kind, app, slot };
    this.#ring[this.#seq % TAP_SIZE] = entry;
    return entry;
  }

  #count(slot: string): { published: number; received: number } {
    let counts = this.#counts.get(slot);
    if (!counts) this.#counts.set(slot, (counts = { published: 0, received: 0 }));
    return counts;
  }

  #preview(state: StateSnapshot): string {
    const known = this.#previews.get(state.app);
    if (known?.version === state.version) return known.preview;
    const text = cut(JSON.stringify(state.value) ?? 'null');
    this.#previews.set(state.app, { version: state.version, preview: text });
    return text;
  }
}

/** JSON text cut to {@link PREVIEW_CHARS}, with an ellipsis when cut. */
function cut(text: string): string {
  return text.length > PREVIEW_CHARS ? `${text.slice(0, PREVIEW_CHARS - 1)}…` : text;
}
