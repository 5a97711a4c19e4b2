import type { Manifest } from './manifest.ts';
import type { BrokerGrantRef } from './revocations.ts';
import type { StateSnapshot } from './wire.ts';

/**
 * The host page ⇄ broker Worker protocol, over comlink: {@link BrokerControl} host → Worker,
 * {@link HostListener} Worker → host. Both ends are the host's own code (comlink is never
 * exposed to widgets), so nothing here is parsed on arrival; the Worker still parses the
 * manifests it is given. The Worker's `brokerControl` is declared as a `BrokerControl` and
 * the host wraps the Worker as one, so a change to a method fails `tsc` on both sides.
 */

/** Why the broker refused something. */
export type ViolationKind =
  | 'malformed'
  | 'too-large'
  | 'bounds'
  | 'schema'
  | 'not-permitted'
  | 'rate-limited'
  | 'suspended'
  | 'quota'
  /** A hello with a wrong or stale nonce (recorded by the host, not the broker). */
  | 'handshake'
  /** Seen by the host page, not the broker: focus taken without a user gesture (issue 14). */
  | 'focus'
  /** Seen by the host page: entries added to the tab's history by a frame (issue 14). */
  | 'history';

/** One refusal, as devtools and host code see it. */
export interface Violation {
  app: string;
  connection: string;
  kind: ViolationKind;
  detail: string;
  topic?: string;
  time: number;
}

/** Counters for tests, devtools and the benchmark. */
export interface BrokerStats {
  connections: number;
  subscriptions: number;
  watches: number;
  delivered: number;
  /** Events dropped for subscribers that fell behind (each told with a gap notice). */
  dropped: number;
  rejected: number;
  violations: Record<string, number>;
}

/**
 * What leaves the browser (manifest `sync`): an event or public state value of `app`, checked
 * and stamped by the broker. `data` is the JSON text (size-checked by the broker); no `topic`
 * means a public state value. The network side adds a message id for dedup and sends it.
 */
export interface SyncedEvent {
  app: string;
  topic?: string;
  data: string;
}

/**
 * An event (or, without `topic`, a public state value) from the server, in the stream of
 * `space`, at `offset` within `epoch`. Hostile until checked: the broker applies the same
 * rights as to a local one (docs/decisions/0016-event-sync.md).
 */
export interface RemoteEvent extends SyncedEvent {
  space: string;
  epoch: string;
  offset: number;
}

/** What the host page listens to (Worker → host): violations and synced events arrive batched. */
export interface HostListener {
  violations?(batch: Violation[]): void;
  suspended?(connectionId: string, appId: string): void;
  /** Events and states that leave the browser, in publish order. */
  forward?(batch: SyncedEvent[]): void;
}

/** The broker Worker's control surface (host → Worker). */
export interface BrokerControl {
  /** Registers (or replaces) a manifest; the Worker parses it again. */
  register(manifest: Manifest): void;
  /** Attaches a widget's port (transferred) under the identity of a registered app. */
  attach(connectionId: string, appId: string, port: MessagePort): void;
  /** Attaches the host page's own client port (transferred). */
  attachHost(connectionId: string, port: MessagePort): void;
  detach(connectionId: string): void;
  stats(): BrokerStats;
  violations(): Violation[];
  /**
   * Records a violation the host page saw itself (focus: issue 14), so that it
   * is in the same log and goes out with the same batches as the broker's own.
   */
  report(violation: Violation): void;
  /** Every app's public state, for the host's copy. */
  states(): StateSnapshot[];
  /** Puts back the host's copy after a Worker restart; only newer versions win. */
  restore(states: StateSnapshot[]): void;
  /** Sets an app's public state from its JSON (another tab's copy); false when refused. */
  adopt(appId: string, json: string): boolean;
  /**
   * Replaces what the host revoked from an app (live permissions); subscriptions and watches
   * it no longer allows end before this returns.
   */
  revoke(appId: string, revoked: BrokerGrantRef[]): void;
  /** Opens or closes the tap devtools reads (the broker records nothing while it is closed). */
  tap(open: boolean): void;
  /** What the tap recorded after `since`; undefined while it is closed. */
  tapRead(since: number): TapReport | undefined;
  /** The host page's end of a channel on which it exposes its {@link HostListener}. */
  listen(port: MessagePort): void;
  /**
   * Events from the server, in stream order: each checked like a local publish, then
   * delivered to subscribers whose manifest syncs it; one already delivered (same epoch,
   * offset not above the last) is dropped. Resolves to how many were delivered or adopted.
   */
  deliver(batch: RemoteEvent[]): number;
  /**
   * The server's public states of `space` (`recovered: false`): adopts them and re-sends
   * every watcher its snapshot; when `lost` (history was lost, not merely never followed),
   * syncing subscribers get a gap notice.
   */
  resync(space: string, states: SyncedEvent[], lost: boolean): void;
  /** The watchdog's liveness check. */
  ping(): 'pong';
  /**
   * Takes the Web Lock `name` and holds it until the Worker ends; resolves once it is held.
   * The host then asks for the same lock, which it is granted when the broker has died
   * (docs/decisions/0032-broker-death.md).
   */
  hold(name: string): Promise<void>;
}

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
