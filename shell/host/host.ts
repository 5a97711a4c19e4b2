import {
  Client,
  type LinkSink,
  type McEvent,
  type StateVersion,
  type Subscription,
} from '../../sdk/client.ts';
import {
  HOST_APP_ID,
  isAppId,
  isPattern,
  McError,
  patternCovers,
  SERVICE_NAMES,
  type AppContext,
  type AuditEntry,
  type BrokerStats,
  type EffectiveGrants,
  type GrantRef,
  type HostContextPatch,
  type Manifest,
  type ManifestInput,
  type RemoteEvent,
  type StateSnapshot,
  type SyncedEvent,
  type TapReport,
  type TeardownReason,
  type Theme,
  type Topic,
  type TopicPattern,
  type Violation,
} from '../../sdk/protocol/index.ts';
import { HEARTBEAT_INTERVAL_MS, REAL_BEAT_CLOCK, type BeatClock } from '../frames/heartbeat.ts';
import { lazy } from '../shared/lazy.ts';
import { BrokerLink } from './broker-link.ts';
import {
  McAppUpdatedEvent,
  McBrokerRestartedEvent,
  McSuspendedEvent,
  McViolationEvent,
  type HostEventMap,
} from './host-events.ts';
import type { GrantChangeOptions, LivePermissions } from './live-permissions.ts';
import { ManifestRegistry } from './manifest-registry.ts';
import { HostServices, type HostServicesOptions } from '../services/host-services.ts';

/**
 * Options of a {@link Host}. The context fields (`theme`, `locale`, `user` shared with
 * widgets as `context.user`, `tokens`: `--mc-*` CSS custom properties laid over the theme's
 * defaults) are those of `setContext`, checked the same way.
 */
export interface HostOptions extends Omit<HostServicesOptions, 'context'>, HostContextPatch {
  /** Deadline for a widget to finish its handshake (`HANDSHAKE_TIMEOUT` after it). */
  connectTimeoutMs?: number;
  /**
   * How often each widget is beaten (default {@link HEARTBEAT_INTERVAL_MS}); it is
   * unresponsive after `HEARTBEAT_MISSES` missed beats. Tests shorten it.
   */
  heartbeatIntervalMs?: number;
  /**
   * The timer heartbeats run on (default: the page's own `setInterval`). A host simulator
   * (`microcanvas/testing`) passes one it can stop, to show a widget a host that went away.
   */
  heartbeatClock?: BeatClock;
  /**
   * How long the broker Worker may leave a ping or call unanswered before it is declared
   * hung and restarted (default 15 s: a huge hostile message can keep it busy that long).
   * A dead broker is noticed at once, by the Web Lock it held being released.
   */
  brokerTimeoutMs?: number;
  /**
   * Whether widgets of an app marked unavailable ({@link Host.setAvailable}, e.g. its backend
   * failing the registry's health checks) are mounted all the same. Default false: they show
   * as unavailable and mount once the app is available again.
   */
  mountUnavailable?: boolean;
  /**
   * How long a widget may take over its teardown notice (before its unmount, or when the page
   * hides) before the frame goes all the same. Default {@link TEARDOWN_GRACE_MS}.
   */
  teardownGraceMs?: number;
}

/** Default grace a widget gets to answer its teardown notice. */
export const TEARDOWN_GRACE_MS = 300;

/** Default deadline for a widget's handshake. */
export const HANDSHAKE_TIMEOUT_MS = 10_000;
/** Broker restarts further apart than this are not a crash loop: no backoff. */
const RESTART_QUIET_MS = 60_000;
/** The longest wait before restarting a broker Worker that keeps failing. */
const MAX_RESTART_DELAY_MS = 30_000;

/** What the host keeps of a live mount: its open calls, and a way to end it. */
export interface TrackedSession {
  readonly pendingCalls: number;
  destroy(): void;
  /** Tells the widget it is about to go; settles within `graceMs`. */
  teardown?(reason: TeardownReason, graceMs: number): Promise<unknown>;
}

/**
 * The host side of a canvas: the registered manifests, the broker Worker, and the host
 * page's own client of the broker (for publishing, subscribing and reading state from host
 * code). `<mc-canvas>` creates one, or shares one passed to it.
 */
export class Host extends EventTarget {
  readonly connectTimeoutMs: number;
  /** The heartbeat interval of every widget of this host. */
  readonly heartbeatIntervalMs: number;
  /** The timer every widget of this host is beaten on. */
  readonly heartbeatClock: BeatClock;
  /** See {@link HostOptions.mountUnavailable}. */
  readonly mountUnavailable: boolean;
  /** See {@link HostOptions.teardownGraceMs}. */
  readonly teardownGraceMs: number;
  /** Host services for widgets: context, toasts, dialogs, storage, resize, shortcuts. */
  readonly services: HostServices;
  readonly #registry = new ManifestRegistry();
  readonly #link: BrokerLink;
  /**
   * The host page's own broker client. It outlives broker restarts: `#sink` moves it to the
   * new broker's port, and it asks again for its subscriptions and watches itself.
   */
  readonly #client: Client;
  #sink: LinkSink | undefined;
  readonly #sessions = new Set<TrackedSession>();
  /** Every app's latest public state: the host's copy, replayed into a restarted broker. */
  readonly #states = new Map<string, StateSnapshot>();
  #restarts = 0;
  /** When the broker last restarted, and how long the next restart waits (backoff). */
  #lastRestart = 0;
  #restartDelayMs = 0;
  #restartTimer: ReturnType<typeof setTimeout> | undefined;
  #destroyed = false;
  #uplink: ((batch: SyncedEvent[]) => void) | undefined;
  readonly #unavailable = new Set<string>();
  /** Open devtools taps: the broker records while there is one. */
  #taps = 0;
  /** Live permissions, loaded with the first use (nothing is revoked before). */
  #permissions: LivePermissions | undefined;
  readonly #live = lazy(() =>
    import('./live-permissions.ts').then(
      (m) =>
        (this.#permissions ??= new m.LivePermissions({
          manifest: (app) => this.#registry.get(app),
          apply: (app, list) => this.#link.call((broker) => broker.revoke(app, list)),
          changed: (app) => this.dispatchEvent(new McAppUpdatedEvent(app, 'grants')),
          protocol: { McError, isAppId, isPattern, patternCovers, SERVICE_NAMES },
        })),
    ),
  );

  constructor(options: HostOptions = {}) {
    super();
    this.connectTimeoutMs = options.connectTimeoutMs ?? HANDSHAKE_TIMEOUT_MS;
    this.heartbeatIntervalMs = options.heartbeatIntervalMs ?? HEARTBEAT_INTERVAL_MS;
    this.heartbeatClock = options.heartbeatClock ?? REAL_BEAT_CLOCK;
    this.mountUnavailable = options.mountUnavailable ?? false;
    this.teardownGraceMs = options.teardownGraceMs ?? TEARDOWN_GRACE_MS;
    addEventListener('pagehide', this.#onPageHide);
    const { theme, locale, user, tokens } = options;
    this.services = new HostServices({ ...options, context: { theme, locale, user, tokens } });
    this.services.allows = (app, service) => this.#permissions?.allows(app, service) ?? true;
    this.#link = new BrokerLink(
      {
        violations: (batch: Violation[]) => {
          for (const v of batch) this.dispatchEvent(new McViolationEvent(v));
        },
        suspended: (slotId: string, appId: string) =>
          this.dispatchEvent(new McSuspendedEvent(slotId, appId)),
        forward: (batch: SyncedEvent[]) => this.#uplink?.(batch),
      },
      () => this.#recover(),
      options.brokerTimeoutMs,
    );
    const [port, attached] = this.#hostPort();
    const context = this.contextFor(HOST_APP_ID, 'host');
    this.#client = new Client({ port, context, attached, bind: (sink) => (this.#sink = sink) });
  }

  /**
   * Registers an app manifest; throws `INVALID_MANIFEST` naming the bad field. Registering
   * a changed manifest for a known app (a registry update) fires `mc-app-updated`, and its
   * widgets remount into new sessions: rights change for a running widget only that way.
   */
  register(manifest: ManifestInput): Manifest {
    const known = this.#registry.get(manifest.id);
    const parsed = this.#registry.register(manifest);
    this.#link.send((broker) => broker.register(parsed));
    if (!known) {
      this.#client.state.watch(parsed.id, (state: StateVersion) => {
        if (state.version > 0) this.#states.set(parsed.id, state);
      });
    } else if (JSON.stringify(known) !== JSON.stringify(parsed)) {
      this.dispatchEvent(new McAppUpdatedEvent(parsed.id, 'manifest'));
    }
    return parsed;
  }

  /**
   * Marks an app available or not (a registry's health): `<mc-catalog>` shows it, and
   * unless `mountUnavailable` is set, its widgets are not mounted while it is unavailable
   * (those already running stay). Fires `mc-app-updated` on a change.
   */
  setAvailable(appId: string, available: boolean): void {
    if (available === !this.#unavailable.has(appId)) return;
    if (available) this.#unavailable.delete(appId);
    else this.#unavailable.add(appId);
    this.dispatchEvent(new McAppUpdatedEvent(appId, 'availability'));
  }

  /** False while the app is marked unavailable. */
  available(appId: string): boolean {
    return !this.#unavailable.has(appId);
  }

  /** Broker restarts so far (after a Worker crash or hang). */
  get brokerRestarts(): number {
    return this.#restarts;
  }

  #hostPort(): [MessagePort, Promise<unknown>] {
    const { port1, port2 } = new MessageChannel();
    const attached = this.#link.call((broker, comlink) =>
      broker.attachHost('host', comlink.transfer(port1, [port1])),
    );
    // The client waits on it only while it has requests out; a failure (the broker went
    // away first) is the watchdog's to handle, never an unhandled rejection.
    attached.catch(() => undefined);
    return [port2, attached];
  }

  /**
   * The broker Worker died or hung: start a new one and rebuild it from the host's source
   * of truth (manifests, revocations, the last public states), move the host's own client
   * over, then tell every slot: a connected widget is handed a port to the new broker in the
   * same session (its SDK asks again for what it held), any other one is remounted
   * (docs/decisions/0034-reattach.md).
   */
  #recover(): void {
    if (this.#destroyed || this.#restartTimer !== undefined) return;
    // A Worker that keeps dying (it fails to load, say) must not spin: restarts less than a
    // minute apart wait 1, 2, 4 … up to 30 s; after a quiet minute the next one is at once.
    const now = Date.now();
    this.#restartDelayMs =
      now - this.#lastRestart > RESTART_QUIET_MS
        ? 0
        : Math.min(Math.max(1000, this.#restartDelayMs * 2), MAX_RESTART_DELAY_MS);
    this.#restartTimer = setTimeout(() => {
      this.#restartTimer = undefined;
      this.#restart();
    }, this.#restartDelayMs);
  }

  #restart(): void {
    if (this.#destroyed) return;
    this.#restarts++;
    this.#lastRestart = Date.now();
    this.#link.respawn();
    for (const manifest of this.#registry.all()) {
      this.#link.send((broker) => broker.register(manifest));
    }
    if (this.#taps > 0) this.#link.send((broker) => broker.tap(true));
    for (const [app, list] of this.#permissions?.revocations() ?? []) {
      this.#link.send((broker) => broker.revoke(app, list));
    }
    this.#link.send((broker) => broker.restore([...this.#states.values()]));
    this.#sink!.port(this.#hostPort()[0]);
    this.dispatchEvent(new McBrokerRestartedEvent(this.#restarts));
  }

  /** The registered manifest of `appId`, if any. */
  manifest(appId: string): Manifest | undefined {
    return this.#registry.get(appId);
  }

  /** Every registered manifest (the app catalog). */
  manifests(): Manifest[] {
    return this.#registry.all();
  }

  /** Publishes from the host page; subscribers see `source: 'host'`. */
  publish(topic: Topic, data?: unknown): void {
    this.#client.publish(topic, data);
  }

  /** Subscribes host code to every event matching `pattern`. */
  subscribe<T = unknown>(
    pattern: TopicPattern,
    handler: (event: McEvent<T>) => void,
  ): Subscription {
    return this.#client.subscribe(pattern, handler);
  }

  /** Reads or watches any app's public state (watches survive broker restarts). */
  readonly state = {
    get: <T = unknown>(app: string): Promise<StateVersion<T>> => this.#client.state.get<T>(app),
    watch: <T = unknown>(app: string, handler: (state: StateVersion<T>) => void): Subscription =>
      this.#client.state.watch(app, handler),
  };

  /**
   * Puts a public state value for `appId` into the broker on the host's behalf, as the next
   * version, and tells its watchers: how another tab's copy of the state reaches this tab.
   * `json` is the value serialized; the broker size- and bounds-checks it like a widget's
   * own `state.set` and resolves false when it refuses.
   */
  adoptState(appId: string, json: string): Promise<boolean> {
    if (this.#destroyed) return Promise.resolve(false);
    return this.#link.call((broker) => broker.adopt(appId, json));
  }

  /**
   * Event sync with the server (docs/decisions/0016-event-sync.md), for the host's server
   * client: `uplink` gets what the broker forwards (manifest `sync`, checked and stamped),
   * `deliver` hands the broker events from the server (checked there like local ones, each
   * offset delivered once), `resync` tells it history was lost (`recovered: false`).
   */
  readonly events = {
    uplink: (forward: ((batch: SyncedEvent[]) => void) | undefined): void => {
      this.#uplink = forward;
    },
    deliver: (batch: RemoteEvent[]): Promise<number> =>
      this.#link.call((broker) => broker.deliver(batch)),
    resync: (space: string, states: SyncedEvent[], lost = true): Promise<void> =>
      this.#link.call((broker) => broker.resync(space, states, lost)),
  };

  /**
   * Revokes a grant of a running app (docs/decisions/0022-live-permissions.md): publishing
   * or subscribing on topics matching a pattern, reading an app's state, or a host service.
   * When it resolves the broker has applied it: subscriptions that could receive a topic of
   * the pattern, and watches of the app, have ended (the widget's `onError` gets
   * `NOT_PERMITTED` naming each), and nothing published after reaches them; publishes and
   * service calls are refused. It holds for the app's every widget, over reloads, remounts
   * and broker restarts, until {@link restore} (or until this Host is destroyed). Resolves
   * false when the grant was already revoked; `INVALID_ARGUMENT` for a malformed grant,
   * `UNKNOWN_APP` for an app never registered. Widgets cannot call this.
   */
  revoke(appId: string, grant: GrantRef, options: GrantChangeOptions = {}): Promise<boolean> {
    return this.#live().then((live) => live.change(appId, 'revoke', grant, options));
  }

  /**
   * Undoes a {@link revoke} of the same grant: new requests are allowed again (never beyond
   * the manifest). What ended stays ended: the widget subscribes or watches again itself.
   * Resolves false when the grant was not revoked.
   */
  restore(appId: string, grant: GrantRef, options: GrantChangeOptions = {}): Promise<boolean> {
    return this.#live().then((live) => live.change(appId, 'restore', grant, options));
  }

  /** An app's rights as they stand: its manifest's grants less what is revoked. */
  grants(appId: string): Promise<EffectiveGrants> {
    return this.#live().then((live) => live.grants(appId));
  }

  /** Every revoke and restore, oldest first: who, what, when (the last 1,000). */
  auditLog(): Promise<AuditEntry[]> {
    return this.#live().then((live) => live.auditLog());
  }

  /**
   * Opens the broker's tap for devtools (docs/devtools.md) until the returned function is
   * called: while any is open the broker records what it decides in a bounded ring.
   */
  openTap(): () => void {
    if (this.#taps++ === 0) this.#link.send((broker) => broker.tap(true));
    let open = true;
    return () => {
      if (!open) return;
      open = false;
      if (--this.#taps === 0 && !this.#destroyed) this.#link.send((broker) => broker.tap(false));
    };
  }

  /** What the tap recorded after `since` (a report's `seq`); undefined while none is open. */
  readTap(since: number): Promise<TapReport | undefined> {
    return this.#link.call((broker) => broker.tapRead(since));
  }

  /** The broker's bounded log of refusals (those the host page saw itself included). */
  violations(): Promise<Violation[]> {
    return this.#link.call((broker) => broker.violations());
  }

  /**
   * Records a violation the host page saw itself (a widget took focus) in the broker's log, from which it comes back as `mc-violation` like the rest.
   */
  reportViolation(violation: Violation): void {
    // After destroy() the link rejects, and send() drops that.
    this.#link.send((broker) => broker.report(violation));
  }

  /** The broker's counters. */
  stats(): Promise<BrokerStats> {
    return this.#link.call((broker) => broker.stats());
  }

  /**
   * Publishes a slot's lifecycle change as `host.app.<change>` so that apps whose manifest
   * subscribes to `host.app.*` learn when a peer (re)connects or stops responding.
   */
  announce(change: string, slotId: string, appId: string, epoch: number): void {
    if (!this.#destroyed) this.#client.publish(`host.app.${change}`, { slotId, appId, epoch });
  }

  /** Counts a live mount (frame sessions call this on start and on stop). */
  track(session: TrackedSession, live: boolean): void {
    if (live) this.#sessions.add(session);
    else this.#sessions.delete(session);
  }

  /**
   * Resource counters, for tests and devtools: open broker ports (the host's own included),
   * live mounts, and calls waiting for an answer. After every unmount they return to
   * `{ ports: 1, sessions: 0, pendingCalls: 0 }`.
   */
  async counters(): Promise<{ ports: number; sessions: number; pendingCalls: number }> {
    const { connections } = await this.stats();
    // Calls to the broker still waiting (that stats call has settled by now).
    let pendingCalls = this.#client.pendingCalls + this.#link.pendingCalls;
    for (const session of this.#sessions) pendingCalls += session.pendingCalls;
    return { ports: connections, sessions: this.#sessions.size, pendingCalls };
  }

  /** The current theme. */
  get theme(): Theme {
    return this.services.context.current.theme;
  }

  /** The current locale. */
  get locale(): string {
    return this.services.context.current.locale;
  }

  /**
   * Changes theme, locale, user or tokens; every connected widget gets the new context.
   * Throws `INVALID_ARGUMENT` (and changes nothing) on a bad field.
   */
  setContext(patch: HostContextPatch): void {
    this.services.context.update(patch);
  }

  /** The context a widget of `appId` mounted in `slotId` receives. */
  contextFor(appId: string, slotId: string): AppContext {
    return this.services.context.contextFor(appId, slotId);
  }

  /** Hands one end of a widget's private channel to the broker. Used by frame sessions. */
  async attach(slotId: string, appId: string, port: MessagePort): Promise<void> {
    if (this.#destroyed) throw new McError('BROKER_UNAVAILABLE', 'host destroyed');
    await this.#link.call((broker, comlink) =>
      broker.attach(slotId, appId, comlink.transfer(port, [port])),
    );
  }

  /**
   * Closes a widget's channel in the broker. Never rejects: a broker that is gone or being
   * replaced has no channel left to close.
   */
  async detach(slotId: string): Promise<void> {
    if (this.#destroyed) return;
    await this.#link.call((broker) => broker.detach(slotId)).catch(() => undefined);
  }

  /**
   * Ends every widget session, stops the broker Worker (calls in flight reject with
   * `BROKER_UNAVAILABLE`) and closes the host's own client.
   */
  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    removeEventListener('pagehide', this.#onPageHide);
    clearTimeout(this.#restartTimer);
    for (const session of [...this.#sessions]) session.destroy();
    this.services.destroy();
    this.#client.close();
    this.#link.destroy();
  }

  /**
   * The page is hiding (closing, navigating away, or going into the back/forward cache):
   * every widget gets its teardown notice. The page does not wait for the answers.
   */
  #onPageHide = (): void => {
    for (const session of this.#sessions) void session.teardown?.('pagehide', this.teardownGraceMs);
  };

  override addEventListener<K extends keyof HostEventMap>(
    type: K,
    listener: (event: HostEventMap[K]) => void,
    options?: boolean | AddEventListenerOptions,
  ): void;
  override addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions,
  ): void;
  override addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions,
  ): void {
    super.addEventListener(type, listener, options);
  }
}
