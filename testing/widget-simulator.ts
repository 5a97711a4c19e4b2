import type { McEvent, StateVersion } from '../sdk/index.ts';
import {
  FrameSession,
  matchTopic,
  type Host,
  McError,
  McSuspendedEvent,
  type FrameStatus,
  type GrantRef,
  type ServiceName,
  type HostContextPatch,
  type Manifest,
  type ModalRequest,
  type SessionChange,
  type StorageService,
  type Topic,
  type TopicPattern,
} from '../shell/index.ts';
import type { HostClock } from './host-clock.ts';
import { Peers } from './peers.ts';
import type { ReceivedError } from './port-relay.ts';
import type { RefusalCode, RefusedOp } from './refusals.ts';
import type { SimHost } from './sim-host.ts';
import { SimSurface, type AppliedSize, type ModalAnswer } from './sim-surface.ts';
import { Waiters } from './waiters.ts';

/** Options of the simulator's `expect…` helpers. */
export interface ExpectOptions<T> {
  /** Only what this accepts counts. */
  where?: (value: T) => boolean;
  /** How long to wait (default 10 s); then the promise rejects with `CALL_TIMEOUT`. */
  timeoutMs?: number;
}

/** Options of {@link WidgetSimulator.publish}. */
export interface PublishOptions {
  /**
   * Wait until the widget holds a subscription that matches the topic, accepted by the
   * broker, before publishing (default true): a widget subscribes after it connects, and an
   * event published before that is lost, as it would be in production.
   */
  waitForSubscriber?: boolean;
  /** How long to wait for that subscription (default 10 s). */
  timeoutMs?: number;
}

/** A host-drawn toast the widget asked for (`notify`). */
export interface Notification {
  readonly text: string;
  readonly kind: 'info' | 'success' | 'warning' | 'error';
}

/** The app's storage as the host keeps it: read and change it from the test. */
export interface SimStorage {
  /** The stored value (parsed), or undefined. */
  get<T = unknown>(key: string): Promise<T | undefined>;
  /** Stores a JSON value, as the widget's own `storage(client).set` would. */
  set(key: string, value: unknown): Promise<void>;
  /** Every key and value. */
  entries(): Promise<Record<string, unknown>>;
}

/** @internal What {@link WidgetSimulator} needs from `mountWidget`. */
export interface SimulatorParts {
  host: SimHost;
  clock: HostClock;
  manifest: Manifest;
  iframe: HTMLIFrameElement;
  slotId: string;
  box: { width: number; height: number };
  modal: ModalAnswer;
}

/**
 * One widget mounted by `mountWidget`, in a real sandboxed cross-site frame, with a real
 * broker and real host services behind it, and the handles a test needs: what it
 * published, its public state, its service calls, and switches for the host's behaviour.
 */
export class WidgetSimulator {
  /** The widget's app id. */
  readonly appId: string;
  /** Its slot id (its identity in the broker, and `context.slotId` in the widget). */
  readonly slotId: string;
  /** The registered manifest, defaults filled in. */
  readonly manifest: Manifest;
  /** The host: a real `Host` of `microcanvas/shell` (broker Worker, services). */
  readonly host: Host;
  /** The same host, with the simulator's relay and rate limits. */
  readonly #host: SimHost;
  /** The widget's frame. */
  readonly iframe: HTMLIFrameElement;
  /** Everything the widget published that the broker accepted, oldest first. */
  readonly published: McEvent[] = [];
  /** Every toast the widget showed (`notify`), oldest first. */
  readonly notifications: Notification[] = [];
  /** Every size the host applied to the frame (`resize`), oldest first. */
  readonly resizes: AppliedSize[] = [];
  /** Every dialog the widget opened (`modal`), oldest first; answered by `services.modal`. */
  readonly modals: ModalRequest[] = [];
  /** Every declared shortcut the focused widget forwarded. */
  readonly shortcuts: string[] = [];
  /** Every refusal the widget was sent (by the broker, or by {@link refuse}), oldest first. */
  readonly errors: ReceivedError[] = [];
  /** Lifecycle changes of the mount (`connected`, `reconnected`, `unresponsive`, …). */
  readonly lifecycle: SessionChange[] = [];

  readonly #clock: HostClock;
  readonly #peers: Peers;
  readonly #waiters = new Waiters();
  readonly #surface: SimSurface;
  readonly #session: FrameSession;
  readonly #stops: Array<() => void> = [];
  /** How many of `published` the `expectPublished` calls have taken. */
  readonly #taken = new Set<McEvent>();
  #status: FrameStatus = { state: 'loading' };
  #unmounted = false;
  /** Beats sent before the widget connected (none of them reached it). */
  #beatsAtConnect = 0;

  /** @internal Made by `mountWidget`. */
  constructor(parts: SimulatorParts) {
    this.host = parts.host;
    this.#host = parts.host;
    this.#clock = parts.clock;
    this.manifest = parts.manifest;
    this.appId = parts.manifest.id;
    this.slotId = parts.slotId;
    this.iframe = parts.iframe;
    this.#peers = new Peers(this.host);
    this.#surface = new SimSurface(parts.iframe, parts.box, this.#record, parts.modal);
    this.#session = new FrameSession(
      this.host,
      this.manifest,
      this.slotId,
      (status, change) => this.#onStatus(status, change),
      this.#surface,
    );
    const toasts = this.host.services.toasts;
    let seen = 0;
    const onToast = () => {
      for (const toast of toasts.toasts) {
        if (toast.id <= seen || toast.appId !== this.appId) continue;
        seen = toast.id;
        this.notifications.push({ text: toast.text, kind: toast.kind });
      }
      this.#waiters.changed();
    };
    toasts.addEventListener('change', onToast);
    this.#stops.push(() => toasts.removeEventListener('change', onToast));
    const onSuspended = (event: Event) => {
      if ((event as McSuspendedEvent).slotId === this.slotId) this.#session.suspend();
    };
    this.host.addEventListener(McSuspendedEvent.type, onSuspended);
    this.#stops.push(() => this.host.removeEventListener(McSuspendedEvent.type, onSuspended));
  }

  /** What the relay and the surface report: each record wakes the waiters. */
  readonly #record = {
    resizes: this.resizes,
    modals: this.modals,
    shortcuts: this.shortcuts,
    changed: () => this.#waiters.changed(),
  };

  /** @internal What the host's relay reports (see `mountWidget`). */
  readonly relayListener = {
    error: (error: ReceivedError) => {
      this.errors.push(error);
      this.#waiters.changed();
    },
    subscriptions: () => this.#waiters.changed(),
  };

  /** @internal Records the widget's accepted events; `mountWidget` subscribes it. */
  readonly recordEvent = (event: McEvent): void => {
    if (event.source !== this.appId) return;
    this.published.push(event);
    this.#waiters.changed();
  };

  /** @internal Starts the mount; resolves when connected, rejects with its `McError`. */
  start(): Promise<void> {
    this.#session.start(this.iframe);
    return this.#waiters
      .until(
        () => {
          const status = this.#status;
          if (status.state === 'connected') {
            this.#beatsAtConnect = this.#clock.beats;
            return true;
          }
          if (status.state === 'error' || status.state === 'quarantined') {
            const code = status.state === 'error' ? status.code : 'HANDSHAKE_REFUSED';
            throw Object.assign(new Error(`${this.appId}: ${status.message}`), {
              name: 'McError',
              code,
            });
          }
          return undefined;
        },
        `${this.appId} did not connect`,
        () => `status ${this.#status.state}`,
        this.host.connectTimeoutMs + 1000,
      )
      .then(() => undefined);
  }

  /** The mount's status, as `<mc-frame>` would show it. */
  get status(): FrameStatus {
    return this.#status;
  }

  /** Sessions so far (1 after the first handshake; a reload of the widget makes 2). */
  get epoch(): number {
    return this.#session.epoch;
  }

  /** A CSS selector of the widget's frame, for Playwright's `page.frameLocator(…)`. */
  get frameSelector(): string {
    return `iframe[data-mc-slot="${this.slotId}"]`;
  }

  // ── Events ────────────────────────────────────────────────────────────────────────────

  /**
   * Publishes into the widget: as the app the topic names (`calendar.date.selected` comes
   * from a `calendar` connection, stamped by the broker) or as the host (`host.…`). By
   * default it first waits until the widget listens on a matching subscription.
   */
  async publish(topic: Topic, data?: unknown, options: PublishOptions = {}): Promise<void> {
    if (options.waitForSubscriber ?? true) await this.expectSubscribed(topic, options);
    const source = topic.split('.')[0]!;
    if (source === 'host') this.host.publish(topic, data);
    else this.#peers.client(source).publish(topic, data);
  }

  /** True while the widget holds an accepted subscription that matches `topic`. */
  listensTo(topic: Topic): boolean {
    return this.#host.relay?.listensTo(topic) ?? false;
  }

  /** Resolves once the widget holds an accepted subscription that matches `topic`. */
  expectSubscribed(topic: Topic, options: { timeoutMs?: number } = {}): Promise<void> {
    return this.#waiters
      .until(
        () => (this.listensTo(topic) ? true : undefined),
        `${this.appId} did not subscribe to ${topic}`,
        () =>
          `its subscriptions: ${[...(this.#host.relay?.subscriptions.values() ?? [])].join(', ') || 'none'}`,
        options.timeoutMs,
      )
      .then(() => undefined);
  }

  /**
   * Resolves with the first event the widget published on `topic` (a pattern may use `*`)
   * that `where` accepts and that no earlier `expectPublished` returned, waiting for it if
   * it has not come yet. Rejects after `timeoutMs`, listing what was published.
   */
  expectPublished<T = unknown>(
    topic: TopicPattern,
    options: ExpectOptions<T> = {},
  ): Promise<McEvent<T>> {
    const { where = () => true } = options;
    return this.#waiters.until(
      () => {
        const event = this.published.find(
          (e) => !this.#taken.has(e) && matchTopic(topic, e.topic) && where(e.data as T),
        );
        if (event) this.#taken.add(event);
        return event as McEvent<T> | undefined;
      },
      `${this.appId} published nothing on ${topic}${options.where ? ' that matches' : ''}`,
      () => `it published: ${describe(this.published.map((e) => [e.topic, e.data]))}`,
      options.timeoutMs,
    );
  }

  /** Like {@link expectPublished}, but only what the widget publishes from now on. */
  nextEvent<T = unknown>(topic: TopicPattern, options: ExpectOptions<T> = {}): Promise<McEvent<T>> {
    for (const event of this.published) this.#taken.add(event);
    return this.expectPublished(topic, options);
  }

  // ── Public state ──────────────────────────────────────────────────────────────────────

  /** The current public state of the widget (or of any app `appId`). */
  state<T = unknown>(appId: string = this.appId): Promise<StateVersion<T>> {
    return this.host.state.get<T>(appId);
  }

  /** Resolves with the widget's public state once `where` accepts it (default: any set value). */
  expectState<T = unknown>(
    where: (value: T) => boolean = () => true,
    options: { timeoutMs?: number } = {},
  ): Promise<StateVersion<T>> {
    let latest: StateVersion<T> | undefined;
    const stop = this.host.state.watch<T>(this.appId, (state) => {
      latest = state;
      this.#waiters.changed();
    });
    const found = this.#waiters.until(
      () => (latest && latest.version > 0 && where(latest.value) ? latest : undefined),
      `${this.appId}'s public state did not match`,
      () => `its state: ${describe(latest?.value)} (version ${latest?.version ?? 0})`,
      options.timeoutMs,
    );
    void found.then(stop, stop);
    return found;
  }

  /**
   * Sets the public state of the peer app `appId`, which the widget reads if its manifest
   * lists `appId` in `reads` (a watch gets it at once, or its snapshot when it starts).
   */
  setState(appId: string, value: unknown): void {
    this.#peers.client(appId).state.set(value);
  }

  // ── Host services ─────────────────────────────────────────────────────────────────────

  /** Resolves with the first toast whose text contains `text` (a string or a RegExp). */
  expectNotification(
    text: string | RegExp,
    options: Omit<ExpectOptions<Notification>, never> = {},
  ): Promise<Notification> {
    const { where = () => true } = options;
    const hit = (n: Notification) =>
      (typeof text === 'string' ? n.text.includes(text) : text.test(n.text)) && where(n);
    return this.#waiters.until(
      () => this.notifications.find(hit),
      `${this.appId} showed no notification ${String(text)}`,
      () => `it showed: ${describe(this.notifications)}`,
      options.timeoutMs,
    );
  }

  /** Resolves with the first applied size that `where` accepts. */
  expectResize(
    where: (size: AppliedSize) => boolean = () => true,
    options: { timeoutMs?: number } = {},
  ): Promise<AppliedSize> {
    return this.#waiters.until(
      () => this.resizes.find(where),
      `${this.appId} was not resized as expected`,
      () => `sizes applied: ${describe(this.resizes)}`,
      options.timeoutMs,
    );
  }

  /** Resolves with the first dialog the widget opened that `where` accepts. */
  expectModal(
    where: (request: ModalRequest) => boolean = () => true,
    options: { timeoutMs?: number } = {},
  ): Promise<ModalRequest> {
    return this.#waiters.until(
      () => this.modals.find(where),
      `${this.appId} opened no dialog as expected`,
      () => `dialogs: ${describe(this.modals)}`,
      options.timeoutMs,
    );
  }

  /** Resolves once the focused widget has forwarded the declared shortcut `combo`. */
  expectShortcut(combo: string, options: { timeoutMs?: number } = {}): Promise<string> {
    return this.#waiters.until(
      () => this.shortcuts.find((c) => c === combo),
      `${this.appId} forwarded no ${combo}`,
      () => `shortcuts forwarded: ${describe(this.shortcuts)}`,
      options.timeoutMs,
    );
  }

  /** How the next dialogs are answered: a fixed answer, or a function of the request. */
  answerModals(answer: ModalAnswer): void {
    this.#surface.answer = answer;
  }

  /** The app's storage as the host keeps it (`storage` service). */
  get storage(): SimStorage {
    const service: StorageService = this.host.services.storage;
    const app = this.appId;
    return {
      get: async <T>(key: string) => {
        const json = await service.getJson(app, key);
        return json === null ? undefined : (JSON.parse(json) as T);
      },
      set: (key, value) => service.set(app, key, value),
      entries: async () => {
        const out: Record<string, unknown> = Object.create(null);
        for (const key of await service.keys(app)) {
          const json = await service.getJson(app, key);
          if (json !== null) out[key] = JSON.parse(json);
        }
        return out;
      },
    };
  }

  /** Changes theme, locale, user or tokens; the widget gets the new context (`onContext`). */
  setContext(patch: HostContextPatch): void {
    this.host.setContext(patch);
  }

  // ── Faults ────────────────────────────────────────────────────────────────────────────

  /**
   * Makes the host go away: its heartbeats stop, as when the host page hangs or is torn
   * down. The widget's `onHostStatus` reports `away` once the last beat's deadline passes
   * (about five heartbeat intervals); the broker keeps routing meanwhile. Resolves when the
   * beats have stopped: after at least one reached the widget since it connected (before
   * its first beat a widget has no deadline to miss, in production too).
   */
  async disconnectHost(): Promise<void> {
    // Two: the first beat after the handshake may leave before the host's link is up.
    await this.#clock.beyond(this.#beatsAtConnect + 1);
    this.#clock.running = false;
  }

  /** Brings the host back: the next beat reaches the widget, which reports `connected`. */
  reconnectHost(): void {
    this.#clock.running = true;
  }

  /**
   * Makes the host refuse what the widget asks, to test its error paths: `publish` on a
   * topic or pattern, `subscribe` to a pattern, `read` (get or watch) of an app's state,
   * `call` of a host service (by service name: `storage`, `notify`, …).
   *
   * `NOT_PERMITTED` is a real revocation (`host.revoke`, docs/decisions/0022): the broker (or
   * the host, for a service) refuses, and a subscription or watch that overlaps it ends with
   * an error on `onError`, as in production. `RATE_LIMITED` (publish, subscribe, read) is
   * answered on the widget's channel in front of the broker, in the broker's own words, and
   * the operation goes nowhere. Resolves, once in force, with the function that lifts it.
   */
  async refuse(
    op: RefusedOp,
    target: string,
    code: RefusalCode = 'NOT_PERMITTED',
  ): Promise<() => Promise<void>> {
    if (code === 'RATE_LIMITED') {
      if (op === 'call') {
        throw new McError(
          'INVALID_ARGUMENT',
          "service rate limits are the host's own: not simulated",
        );
      }
      const lift = this.#host.refusals.add({ op, target });
      return async () => void lift();
    }
    const grant = grantOf(op, target);
    await this.host.revoke(this.appId, grant, { by: 'microcanvas/testing' });
    return async () =>
      void (await this.host.restore(this.appId, grant, { by: 'microcanvas/testing' }));
  }

  /** Resolves with the first refusal the widget was sent that has `code` (and `topic`). */
  expectError(
    code: string,
    options: { topic?: string; timeoutMs?: number } = {},
  ): Promise<ReceivedError> {
    return this.#waiters.until(
      () =>
        this.errors.find(
          (e) => e.code === code && (options.topic === undefined || e.topic === options.topic),
        ),
      `${this.appId} was sent no ${code}${options.topic ? ` for ${options.topic}` : ''}`,
      () => `errors sent: ${describe(this.errors)}`,
      options.timeoutMs,
    );
  }

  /**
   * Focuses the widget's frame, so that keys typed next (wtr's `sendKeys`, Playwright's
   * `keyboard`) go to it: a first Tab then reaches its first focusable element. (Firefox
   * driven over WebDriver BiDi does not route input into a cross-site frame: docs/testing.md.)
   */
  focus(): void {
    this.iframe.focus();
  }

  /** Ends the mount: the session, the frame, the broker Worker. Idempotent. */
  unmount(): void {
    if (this.#unmounted) return;
    this.#unmounted = true;
    for (const stop of this.#stops.splice(0)) stop();
    this.#session.destroy();
    this.#peers.close();
    this.iframe.remove();
    this.host.destroy();
  }

  #onStatus(status: FrameStatus, change?: SessionChange): void {
    this.#status = status;
    if (change) {
      this.lifecycle.push(change);
      // As <mc-frame> does: apps that subscribe to host.app.* learn of it.
      this.host.announce(change, this.slotId, this.appId, this.#session.epoch);
    }
    this.#waiters.changed();
  }
}

/** The live-permission grant a refusal takes away. */
function grantOf(op: RefusedOp, target: string): GrantRef {
  switch (op) {
    case 'publish':
      return { publish: target as TopicPattern };
    case 'subscribe':
      return { subscribe: target as TopicPattern };
    case 'read':
      return { read: target };
    case 'call':
      return { service: target as ServiceName };
  }
}

/** A short text of recorded values for a failure message. */
function describe(value: unknown): string {
  const text = JSON.stringify(value) ?? 'undefined';
  return text.length > 400 ? `${text.slice(0, 400)}…` : text;
}
