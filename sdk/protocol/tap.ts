import type { BrokerStats } from './broker-control.ts';

/**
 * What `<mc-devtools>` reads from the broker (docs/devtools.md): a tap the broker fills only
 * while one is open, and the host pulls at a capped rate. Types only: host ⇄ Worker traffic
 * is the host's own (comlink), never a widget's.
 */

/** One entry of the broker's timeline. */
export interface TapEntry {
  /** Increases by one per entry, for reading what is new. */
  seq: number;
  /** `Date.now()` in the broker. */
  time: number;
  /** An event published, a public state set, or something refused. */
  kind: 'event' | 'state' | 'refused';
  /** The app that sent it (`host` for the host page; the stamped app for server events). */
  app: string;
  /** Its connection (the slot id), or `server` for what came from the server. */
  slot: string;
  topic?: string;
  /** The event's size on the wire, in UTF-16 code units. */
  bytes?: number;
  /** The event's payload as JSON text, cut to a preview. */
  data?: string;
  /** Slots the event was delivered to (queued on their port). */
  to?: string[];
  /** Slots whose queue was full: dropped there, with a gap notice. */
  dropped?: string[];
  /** A state's new version. */
  version?: number;
  /** Why it was refused: the violation kind and detail. */
  reason?: string;
}

/** One connection's figures, since the tap opened (counters) or now (queues). */
export interface TapConnection {
  slot: string;
  app: string;
  /** Events it published, and events delivered to it, since the tap opened. */
  published: number;
  received: number;
  /** Operations waiting in its queue, and sent but not yet acknowledged. */
  queued: number;
  unacked: number;
  /** The last broker → widget → acknowledgement round trip, in ms (0 before the first). */
  rttMs: number;
  /** Events dropped for it because it fell behind (since it attached). */
  dropped: number;
  subscriptions: number;
  watches: number;
}

/** What one read of the tap returns. */
export interface TapReport {
  /** The last entry's `seq`: pass it to the next read. */
  seq: number;
  /** Entries newer than the read's cursor that the ring had already overwritten. */
  missed: number;
  entries: TapEntry[];
  connections: TapConnection[];
  /** Every app's public state version and its JSON, cut to a preview. */
  states: Array<{ app: string; version: number; preview: string }>;
  stats: BrokerStats;
}
