import {
  checkBounds,
  DEFAULT_LIMITS,
  DENIED,
  HOST_APP_ID,
  isTopic,
  ManifestSchema,
  refusalMessage,
  type AppLimits,
  type BrokerGrantRef,
  type BrokerStats,
  type ClientOp,
  type ErrorCode,
  type Manifest,
  type RefusedOperation,
  type RemoteEvent,
  type StateSnapshot,
  type SyncedEvent,
  type TapReport,
  type Topic,
} from '../../sdk/protocol/index.ts';
import { encodeBrokerOp } from '../../sdk/protocol/encode-broker-op.ts';
import type { BrokerPort } from './broker-port.ts';
import { Connection } from './connection.ts';
import { decodeBatch } from './decode.ts';
import { Grants } from './grants.ts';
import { payloadChecks } from '../../sdk/protocol/payload-checks.ts';
import { StateStore } from './state-store.ts';
import { SubscriberIndex } from './subscriber-index.ts';
import { SyncCursors } from './sync-cursors.ts';
import { Tap } from './tap.ts';
import { ViolationLog, type Violation, type ViolationKind } from './violations.ts';

/** Refused events within {@link STRIKE_WINDOW_MS} after which a flooder is suspended. */
export const SUSPEND_AFTER_STRIKES = 1000;
const STRIKE_WINDOW_MS = 2000;
/**
 * Port messages refused for rate within {@link MESSAGE_WINDOW_MS} after which a flooder is
 * suspended: the strikes' rate (500 refusals a second) over a tenth of their window, counted
 * in messages. The SDK sends one message per turn, so a large burst is one message and is
 * still judged by its strikes; a raw port posting one operation per message is let go after
 * 100 of them instead of 1,000, and reading those is the broker's share of a flood.
 */
export const SUSPEND_AFTER_MESSAGES = 100;
const MESSAGE_WINDOW_MS = 200;

/** What the broker tells the host page about, besides answering its calls. */
export interface BrokerListener {
  violation?(violation: Violation): void;
  suspended?(connectionId: string, appId: string): void;
  /**
   * Disposes of a closed connection's port. Closing a port with a large backlog blocks the
   * closing thread for hundreds of milliseconds, so the Worker hands it to a helper
   * instead; the default closes it in place.
   */
  discard?(port: BrokerPort): void;
  /** Events and states that leave the browser (manifest `sync`), batched per turn. */
  forward?(batch: SyncedEvent[]): void;
}

export type { BrokerStats };

/**
 * Routes events and public state between clients. Plain TypeScript behind {@link BrokerPort}:
 * it runs in a dedicated Worker in production and directly in unit tests. A client's
 * identity is the connection it arrived on; nothing in a message can change it.
 */
export class Broker {
  readonly #manifests = new Map<string, Manifest>();
  readonly #connections = new Map<string, Connection>();
  readonly #index = new SubscriberIndex(this.#connections);
  readonly #state = new StateStore();
  readonly #violations: ViolationLog;
  readonly #listener: BrokerListener;
  readonly #now: () => number;
  readonly #strikeStart = new Map<string, number>();
  /** Per registered app, its manifest's rights: what an event from the server is held to. */
  readonly #remote = new Map<string, Grants>();
  readonly #cursors = new SyncCursors();
  /** Per app, what the host revoked: applied to every connection of the app, new ones too. */
  readonly #revoked = new Map<string, readonly BrokerGrantRef[]>();
  #forwarding: SyncedEvent[] = [];
  /** What devtools reads; undefined (and free) while none is open. */
  #tap: Tap | undefined;
  #delivered = 0;
  /** Drops of connections that have since closed. */
  #dropped = 0;

  constructor(listener: BrokerListener = {}, now: () => number = () => performance.now()) {
    this.#listener = listener;
    this.#now = now;
    this.#violations = new ViolationLog((v) => {
      this.#tap?.refused(v);
      this.#listener.violation?.(v);
    });
  }

  /** Registers (or replaces) a manifest. Connections already attached keep their grants. */
  register(manifest: unknown): void {
    const parsed = ManifestSchema.parse(manifest);
    this.#manifests.set(parsed.id, parsed);
    // Schemas the broker will not run are reported now; their topics refuse every payload.
    for (const detail of payloadChecks(parsed)?.refused ?? []) {
      this.#violations.record({
        app: parsed.id,
        connection: 'registry',
        kind: 'schema',
        detail,
        time: Date.now(),
      });
    }
    const remote = Grants.fromManifest(parsed);
    remote.revoke(this.#revoked.get(parsed.id) ?? []);
    this.#remote.set(parsed.id, remote);
  }

  /**
   * Takes events from the server (docs/decisions/0016-event-sync.md). Each is held to the
   * rights of its stamped app as if published here (its manifest must publish and sync the
   * topic, or sync its state), bounded like a widget's, and dropped when its stream already
   * delivered that offset. It then reaches the subscriptions that sync the topic, or the
   * app's state watchers. Returns how many were taken; refusals are counted as violations.
   */
  deliver(batch: readonly RemoteEvent[]): number {
    let taken = 0;
    const now = this.#now();
    for (const event of Array.isArray(batch) ? batch : []) {
      try {
        if (this.#deliverOne(event, now)) taken++;
      } catch (error) {
        this.#remoteRefused(event, 'malformed', String(error).slice(0, 200));
      }
    }
    return taken;
  }

  /**
   * The server's public states of `space` (`recovered: false`): adopts them and re-sends
   * every synced app's snapshot to its watchers; when history was `lost` (not merely never
   * followed), every connection that receives synced events is told it missed some (a gap
   * notice).
   */
  resync(space: string, states: readonly SyncedEvent[], lost = true): void {
    this.#cursors.forget(space);
    for (const state of Array.isArray(states) ? states : []) {
      if (this.#remote.get(state?.app)?.sends() && state.topic === undefined) {
        this.adopt(state.app, state.data);
      }
    }
    for (const [app, grants] of this.#remote) {
      if (grants.sends()) this.#notifyState(this.#state.get(app));
    }
    if (!lost) return;
    for (const to of this.#connections.values()) {
      if ([...to.subscriptions.values()].some((p) => to.grants.receivesAny(p))) to.lost();
    }
  }

  /** Attaches a widget's port under the identity of a registered app. */
  attach(connectionId: string, appId: string, port: BrokerPort): void {
    const manifest = this.#manifests.get(appId);
    if (!manifest) throw new Error(`unknown app ${appId}`);
    const limits = limitsOf(manifest);
    const grants = Grants.fromManifest(manifest);
    // A new session (a reload, a remount) does not lift what the host revoked.
    grants.revoke(this.#revoked.get(appId) ?? []);
    this.#add(
      new Connection(connectionId, appId, grants, limits, port, this.#now, this.#listener.discard),
    );
  }

  /** Attaches the trusted host page's own client port. */
  attachHost(connectionId: string, port: BrokerPort): void {
    const limits: AppLimits = {
      ...DEFAULT_LIMITS,
      eventsPerSecond: Number.POSITIVE_INFINITY,
      burst: Number.POSITIVE_INFINITY,
      bytesPerSecond: Number.POSITIVE_INFINITY,
      maxSubscriptions: 10_000,
    };
    this.#add(
      new Connection(
        connectionId,
        HOST_APP_ID,
        Grants.host(),
        limits,
        port,
        this.#now,
        this.#listener.discard,
      ),
    );
  }

  /**
   * Replaces what the host revoked from `appId` (docs/decisions/0022-live-permissions.md),
   * for its connections now and later and for its events from the server. Subscriptions
   * and watches the app may no longer have end here, each with a `NOT_PERMITTED` error
   * naming it: nothing published after this returns reaches them. Restoring (a shorter
   * list) allows new requests; the widget subscribes again itself.
   */
  revoke(appId: string, revoked: readonly BrokerGrantRef[]): void {
    const list = [...revoked];
    this.#revoked.set(appId, list);
    this.#remote.get(appId)?.revoke(list);
    for (const to of this.#connections.values()) {
      if (to.appId !== appId) continue;
      to.grants.revoke(list);
      for (const [id, pattern] of to.subscriptions) {
        if (to.grants.canSubscribe(pattern)) continue;
        to.subscriptions.delete(id);
        this.#index.invalidate();
        this.#revokedNotice(to, id, 'subscribe', pattern);
      }
      for (const [id, app] of to.watches) {
        if (to.grants.canRead(app)) continue;
        to.watches.delete(id);
        this.#revokedNotice(to, id, 'state.watch', app);
      }
    }
  }

  /**
   * Opens (or closes) the tap that devtools reads (docs/devtools.md). Closed, the broker
   * records nothing; opening again starts an empty tap.
   */
  tap(open: boolean): void {
    this.#tap = open ? (this.#tap ?? new Tap()) : undefined;
  }

  /** What the tap recorded after `since` (its `seq`), or undefined while it is closed. */
  tapRead(since: number): TapReport | undefined {
    return this.#tap?.read(since, this.#connections.values(), this.#state.all(), this.stats());
  }

  /** Closes a connection and forgets its subscriptions and watches. */
  detach(connectionId: string): void {
    const connection = this.#connections.get(connectionId);
    this.#dropped += connection?.dropped ?? 0;
    connection?.close();
    this.#connections.delete(connectionId);
    this.#index.invalidate();
    this.#strikeStart.delete(connectionId);
  }

  /** Loads public states kept by the host, after a restart. Only newer versions win. */
  restore(states: readonly StateSnapshot[]): void {
    for (const state of states) this.#state.restore(state);
  }

  /**
   * Sets an app's public state on the host's behalf (a copy from another tab of the same
   * canvas) as the next local version, and tells its watchers. `json` is size- and
   * bounds-checked like a widget's own `state.set`; returns false when refused.
   */
  adopt(appId: string, json: string): boolean {
    const manifest = this.#manifests.get(appId);
    if (!manifest || typeof json !== 'string') return false;
    const limits = limitsOf(manifest);
    if (json.length > limits.maxMessageBytes) return false;
    let value: unknown;
    try {
      value = JSON.parse(json);
    } catch {
      return false;
    }
    if (checkBounds(value, limits.maxDepth, limits.maxNodes)) return false;
    this.#notifyState(this.#state.set(appId, value ?? null));
    return true;
  }

  /** Every app's public state (the host's view). */
  states(): StateSnapshot[] {
    return this.#state.all();
  }

  /** Records a violation the host page saw itself (focus: issue 14). */
  report(violation: Violation): void {
    this.#violations.record(violation);
  }

  violations(): Violation[] {
    return this.#violations.entries();
  }

  stats(): BrokerStats {
    let subscriptions = 0;
    let watches = 0;
    for (const c of this.#connections.values()) {
      subscriptions += c.subscriptions.size;
      watches += c.watches.size;
    }
    return {
      connections: this.#connections.size,
      subscriptions,
      watches,
      delivered: this.#delivered,
      dropped: this.#dropped + [...this.#connections.values()].reduce((n, c) => n + c.dropped, 0),
      rejected: this.#violations.total(),
      violations: this.#violations.counts(),
    };
  }

  #add(connection: Connection): void {
    this.detach(connection.id);
    this.#connections.set(connection.id, connection);
    this.#index.invalidate();
    connection.port.onmessage = (event) => this.#receive(connection, event.data);
  }

  #receive(from: Connection, raw: unknown): void {
    if (from.closed || from.suspended) return;
    const refusals = from.rateRefusals;
    const { ops, rejected } = decodeBatch(raw, from.limits);
    // One clock read for the whole batch: its operations arrived at the same moment.
    const now = this.#now();
    for (const r of rejected) {
      // Refused input costs the sender tokens like an event: a junk flood gets suspended too.
      if (!from.events.take(1, now)) this.#rateLimited(from, undefined, r.id);
      else this.#refuse(from, r.kind, codeFor(r.kind), r.detail, undefined, r.id);
      if (from.suspended) return;
    }
    for (const op of ops) {
      if (from.closed || from.suspended) return;
      // Every operation but `cancel` costs a token: requests can flood as well as events.
      if (op.op !== 'cancel' && op.op !== 'ack' && !from.events.take(1, now)) {
        this.#rateLimited(
          from,
          op.op === 'pub' ? op.topic : undefined,
          'id' in op ? op.id : undefined,
        );
        continue;
      }
      try {
        this.#apply(from, op, now);
      } catch (error) {
        // A bug in one operation must not take the broker down for everyone else.
        this.#refuse(from, 'malformed', 'MALFORMED_MESSAGE', String(error).slice(0, 200));
      }
    }
    if (from.rateRefusals > refusals && !from.suspended) this.#refusedMessage(from, now);
    // Replies are never dropped, so a client that asks without ever reading the answers
    // would grow its queue without bound: it is suspended like a flooder instead.
    if (from.backlogged && !from.closed && !from.suspended) this.#suspend(from, 'answers not read');
  }

  #apply(from: Connection, op: ClientOp, now: number): void {
    switch (op.op) {
      case 'pub':
        return this.#publish(from, op.topic, op.data, now);
      case 'sub':
        return this.#subscribe(from, op.id, op.pattern);
      case 'cancel':
        if (from.subscriptions.delete(op.id)) this.#index.invalidate();
        from.watches.delete(op.id);
        return;
      case 'ack':
        // An ack for more than was sent is junk, and junk costs tokens: an ack flood ends
        // in suspension like any other.
        if (!from.ack(op.n) && !from.events.take(1, now)) this.#rateLimited(from);
        return;
      case 'set':
        return this.#setState(from, op.value, now);
      case 'get':
        // Its own public state an app may always read back (it set it).
        if (op.app !== from.appId && !from.grants.canRead(op.app)) {
          return this.#deny(from, 'state.get', op.app, op.id);
        }
        return from.send(encodeBrokerOp({ op: 'ok', id: op.id, value: this.#state.get(op.app) }));
      case 'watch':
        return this.#watch(from, op.id, op.app);
    }
  }

  #publish(from: Connection, topic: Topic, data: unknown, now: number): void {
    if (!from.grants.canPublish(from.appId, topic)) {
      return this.#refuse(from, 'not-permitted', 'NOT_PERMITTED', DENIED, topic);
    }
    const invalid = from.grants.payloads?.topics.get(topic)?.(data ?? null);
    if (invalid) return this.#refuse(from, 'schema', 'INVALID_ARGUMENT', invalid, topic);
    const part = encodeBrokerOp({ op: 'evt', topic, source: from.appId, data });
    if (part.length > from.limits.maxMessageBytes) {
      return this.#refuse(from, 'too-large', 'PAYLOAD_TOO_LARGE', `${part.length} bytes`, topic);
    }
    if (!from.bytes.take(part.length, now)) return this.#rateLimited(from, topic);
    if (from.grants.sends(topic) && from.appId !== HOST_APP_ID) {
      this.#forward({ app: from.appId, topic, data: JSON.stringify(data ?? null) });
    }
    const tap = this.#tap;
    if (tap === undefined) {
      for (const to of this.#index.lookup(topic)) {
        if (to.sendEvent(part, now)) this.#delivered++;
      }
      return;
    }
    const sent: string[] = [];
    const dropped: string[] = [];
    for (const to of this.#index.lookup(topic)) {
      if (to.sendEvent(part, now)) {
        this.#delivered++;
        sent.push(to.id);
      } else dropped.push(to.id);
    }
    tap.event(from, topic, part, sent, dropped);
  }

  #subscribe(from: Connection, id: number, pattern: string): void {
    if (!from.grants.canSubscribe(pattern)) return this.#deny(from, 'subscribe', pattern, id);
    if (from.subscriptions.size + from.watches.size >= from.limits.maxSubscriptions) {
      this.#violation(from, 'quota', 'subscription cap', pattern);
      return from.send(
        encodeBrokerOp({ op: 'err', id, code: 'RATE_LIMITED', message: 'subscription cap' }),
      );
    }
    from.subscriptions.set(id, pattern);
    this.#index.invalidate();
    from.send(encodeBrokerOp({ op: 'ok', id }));
  }

  #watch(from: Connection, id: number, app: string): void {
    if (!from.grants.canRead(app)) return this.#deny(from, 'state.watch', app, id);
    if (from.subscriptions.size + from.watches.size >= from.limits.maxSubscriptions) {
      this.#violation(from, 'quota', 'subscription cap', app);
      return from.send(
        encodeBrokerOp({ op: 'err', id, code: 'RATE_LIMITED', message: 'subscription cap' }),
      );
    }
    from.watches.set(id, app);
    from.send(encodeBrokerOp({ op: 'ok', id }));
    const snapshot = this.#state.get(app);
    from.sendState(id, encodeBrokerOp({ op: 'state', id, ...snapshot }));
  }

  #setState(from: Connection, value: unknown, now: number): void {
    if (from.appId === HOST_APP_ID) return;
    const invalid = from.grants.payloads?.state?.(value ?? null);
    if (invalid) return this.#refuse(from, 'schema', 'INVALID_ARGUMENT', invalid);
    const size = JSON.stringify(value ?? null).length;
    if (size > from.limits.maxMessageBytes) {
      return this.#refuse(from, 'too-large', 'PAYLOAD_TOO_LARGE', `state is ${size} bytes`);
    }
    if (!from.bytes.take(size, now)) return this.#rateLimited(from);
    const snapshot = this.#state.set(from.appId, value ?? null);
    this.#tap?.state(from.appId, from.id, snapshot.version);
    this.#notifyState(snapshot);
    if (from.grants.sends())
      this.#forward({ app: from.appId, data: JSON.stringify(value ?? null) });
  }

  /** Queues an event for the server; what one turn forwards leaves as one batch. */
  #forward(event: SyncedEvent): void {
    if (this.#forwarding.push(event) > 1) return;
    queueMicrotask(() => {
      const batch = this.#forwarding;
      this.#forwarding = [];
      this.#listener.forward?.(batch);
    });
  }

  #deliverOne(event: RemoteEvent, now: number): boolean {
    const { space, epoch, offset, app, topic, data } = event ?? {};
    if (
      typeof data !== 'string' ||
      typeof space !== 'string' ||
      typeof epoch !== 'string' ||
      !Number.isSafeInteger(offset)
    ) {
      return this.#remoteRefused(event, 'malformed', 'not an event');
    }
    if (!this.#cursors.fresh(event)) return false;
    const grants = this.#remote.get(app);
    // Held to the source app's rights here: the server relays, it does not grant.
    if (topic !== undefined && !isTopic(topic)) {
      return this.#remoteRefused(event, 'malformed', 'not a topic');
    }
    const allowed =
      topic === undefined ? grants?.sends() : grants?.canPublish(app, topic) && grants.sends(topic);
    if (!allowed) return this.#remoteRefused(event, 'not-permitted', DENIED);
    const limits = limitsOf(this.#manifests.get(app)!);
    if (data.length > limits.maxMessageBytes) {
      return this.#remoteRefused(event, 'too-large', `${data.length} bytes`);
    }
    const value: unknown = JSON.parse(data);
    if (checkBounds(value, limits.maxDepth, limits.maxNodes)) {
      return this.#remoteRefused(event, 'bounds', 'too deep or too many values');
    }
    const payloads = grants!.payloads;
    const invalid =
      topic === undefined ? payloads?.state?.(value) : payloads?.topics.get(topic)?.(value);
    if (invalid) return this.#remoteRefused(event, 'schema', invalid);
    if (topic === undefined) {
      this.#notifyState(this.#state.set(app, value));
      return true;
    }
    const part = encodeBrokerOp({ op: 'evt', topic, source: app, data: value });
    const sent: string[] = [];
    for (const to of this.#index.lookup(topic)) {
      if (to.grants.receives(topic) && to.sendEvent(part, now)) {
        this.#delivered++;
        sent.push(to.id);
      }
    }
    this.#tap?.event({ id: 'server', appId: app }, topic, part, sent, []);
    return true;
  }

  #remoteRefused(event: RemoteEvent, kind: ViolationKind, detail: string): false {
    const entry: Violation = {
      app: String(event?.app).slice(0, 40),
      connection: 'server',
      kind,
      detail,
      time: Date.now(),
    };
    if (typeof event?.topic === 'string') entry.topic = event.topic.slice(0, 200);
    this.#violations.record(entry);
    return false;
  }

  #notifyState(snapshot: StateSnapshot): void {
    for (const to of this.#connections.values()) {
      for (const [id, app] of to.watches) {
        if (app === snapshot.app)
          to.sendState(id, encodeBrokerOp({ op: 'state', id, ...snapshot }));
      }
    }
  }

  /** Answers a refused request; the message names it (and reads the same for a missing target). */
  #deny(from: Connection, operation: RefusedOperation, target: string, id: number): void {
    const message = refusalMessage(operation, target, DENIED);
    this.#violation(from, 'not-permitted', message, target);
    from.send(encodeBrokerOp({ op: 'err', id, code: 'NOT_PERMITTED', message, operation, target }));
  }

  /**
   * Tells a client that the host ended its request `id` (never metered: host-caused), named
   * like any refusal: `subscribe "todo.item.*": revoked`.
   */
  #revokedNotice(to: Connection, id: number, operation: RefusedOperation, target: string): void {
    const message = refusalMessage(operation, target, 'revoked');
    to.send(encodeBrokerOp({ op: 'err', id, code: 'NOT_PERMITTED', message, operation, target }));
  }

  #rateLimited(from: Connection, topic?: string, id?: number): void {
    const now = this.#now();
    const start = this.#strikeStart.get(from.id);
    if (start === undefined || now - start > STRIKE_WINDOW_MS) {
      this.#strikeStart.set(from.id, now);
      from.strikes = 0;
    }
    from.strikes++;
    from.rateRefusals++;
    // Logged once per burst of refusals, counted after that: an entry (and an event on the
    // page) per refused message made a flood cost more than refusing it, and pushed other
    // apps' entries out of the bounded log. The suspension's entry says how many there were.
    if (from.strikes === 1) {
      const what = id === undefined ? 'event' : 'request';
      this.#violation(from, 'rate-limited', `${what} rate exceeded`, topic);
    } else this.#violations.count('rate-limited');
    // Tell the sender once per burst of refusals, not once per refused event: answering a
    // flood message for message would let the flooder make us flood it back.
    if (id !== undefined) {
      // A refused request is answered, so the caller's promise settles now, not at its deadline.
      from.send(encodeBrokerOp({ op: 'err', id, code: 'RATE_LIMITED', message: 'rate exceeded' }));
    } else if (from.strikes === 1) {
      this.#answer(from, 'RATE_LIMITED', 'event rate exceeded', topic);
    }
    if (from.strikes >= SUSPEND_AFTER_STRIKES) {
      this.#suspend(from, `${from.strikes} events refused`);
    }
  }

  /** Counts a port message that had a refusal for rate; see {@link SUSPEND_AFTER_MESSAGES}. */
  #refusedMessage(from: Connection, now: number): void {
    if (now - from.messagesSince > MESSAGE_WINDOW_MS) {
      from.messagesSince = now;
      from.refusedMessages = 0;
    }
    if (++from.refusedMessages >= SUSPEND_AFTER_MESSAGES) {
      this.#suspend(from, `${from.refusedMessages} messages refused in ${MESSAGE_WINDOW_MS} ms`);
    }
  }

  #suspend(from: Connection, why: string): void {
    this.#violation(from, 'suspended', why);
    from.send(encodeBrokerOp({ op: 'err', code: 'SUSPENDED', message: 'suspended for flooding' }));
    // Stop reading the port at all: a backlog we merely drop still delays everyone else.
    queueMicrotask(() => this.detach(from.id));
    from.suspended = true;
    this.#listener.suspended?.(from.id, from.appId);
  }

  #refuse(
    from: Connection,
    kind: ViolationKind,
    code: ErrorCode,
    detail: string,
    topic?: string,
    id?: number,
  ): void {
    this.#violation(from, kind, detail, topic);
    this.#answer(from, code, detail, topic, id);
  }

  /** Tells the sender of a refusal: always for a request, metered otherwise. */
  #answer(from: Connection, code: ErrorCode, detail: string, topic?: string, id?: number): void {
    // A refused request is always answered (it cost a token), so it settles now rather than
    // at its deadline; other refusals are metered.
    if (id !== undefined) {
      return from.send(encodeBrokerOp({ op: 'err', id, code, message: detail }));
    }
    if (!from.replies.take()) return;
    // A refused publish is named: `publish "a.b.c": …` (McError.operation and .target).
    from.send(
      encodeBrokerOp(
        topic
          ? {
              op: 'err',
              code,
              message: refusalMessage('publish', topic, detail),
              topic,
              operation: 'publish',
              target: topic,
            }
          : { op: 'err', code, message: detail },
      ),
    );
  }

  #violation(from: Connection, kind: ViolationKind, detail: string, topic?: string): void {
    const entry: Violation = {
      app: from.appId,
      connection: from.id,
      kind,
      detail,
      time: Date.now(),
    };
    if (topic !== undefined) entry.topic = topic.slice(0, 200);
    this.#violations.record(entry);
  }
}

/** An app's limits: the defaults, with what its manifest sets. */
function limitsOf(manifest: Manifest): AppLimits {
  return { ...DEFAULT_LIMITS, ...manifest.limits };
}

function codeFor(kind: ViolationKind): ErrorCode {
  return kind === 'too-large' ? 'PAYLOAD_TOO_LARGE' : 'MALFORMED_MESSAGE';
}
