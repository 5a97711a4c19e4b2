import type { Logger } from 'pino';

import { decodeBackendEvent } from '../delivery/event-codec.ts';
import { webhookStream } from '../delivery/types.ts';
import type { Delivery, LogStore } from '../engine/types.ts';
import type { AddressGuard } from '../gateway/address-guard.ts';
import { realSleep, type Clock } from './clock.ts';
import {
  remember,
  type EndpointState,
  type EndpointStore,
  type Head,
  type LastResult,
  type VersionedState,
} from './endpoint-state.ts';
import { webhookBody } from './payload.ts';
import { postWebhook, type PostResult } from './post.ts';
import { parseRetryAfter, retryDelay } from './schedule.ts';
import { webhookHeaders } from './sign.ts';
import type { WebhookMetrics } from './webhook-metrics.ts';

/** The consumer group of every `wh.*` stream. */
export const WEBHOOK_GROUP = 'webhooks';

/** Where an endpoint's deliveries go, as the registry says now. */
export interface Target {
  readonly url: URL;
  readonly secrets: readonly string[];
}

/** What every endpoint worker of a dispatcher shares. */
export interface WorkerContext {
  readonly log: LogStore;
  readonly store: EndpointStore;
  readonly clock: Clock;
  readonly guard: AddressGuard;
  readonly logger: Logger;
  readonly metrics: WebhookMetrics | undefined;
  readonly schedule: readonly number[];
  readonly timeoutMs: number;
  readonly retryAfterMaxMs: number;
  /** How often an idle worker looks for new entries and state changes (real time). */
  readonly pollMs: number;
  readonly ackWaitMs: number;
  readonly random: () => number;
  /** The endpoint's target now; undefined when the registry no longer has it. */
  target(app: string, name: string): Target | undefined;
  /** Whether this process holds the endpoint's lease for `marginMs` more at least. */
  holds(app: string, name: string, marginMs: number): boolean;
}

/**
 * Delivers one endpoint's events, one at a time and in stream order, while its process holds
 * the endpoint's lease. An event moves from the `wh.*` stream (the outbox) into the endpoint's
 * state record as its `head` (written before the stream entry is acked, so nothing is lost
 * in between) and stays there through every attempt of the schedule, each outcome written
 * before the next step: a restart, here or in another process, resumes the schedule where
 * it stood. Later events wait behind a failing one (per-endpoint order).
 */
export class EndpointWorker {
  readonly app: string;
  readonly name: string;
  readonly #stream: string;
  readonly #ctx: WorkerContext;
  readonly #stop = new AbortController();
  #wake = new AbortController();
  #nudged = false;
  /**
   * The state as this worker last wrote it, while it keeps working: the next step starts
   * from it instead of reading the record again. Dropped whenever the worker idles (an
   * admin may write meanwhile) and when a write loses (someone else wrote).
   */
  #mine: VersionedState | undefined;
  #done: Promise<void> = Promise.resolve();

  constructor(ctx: WorkerContext, app: string, name: string) {
    this.#ctx = ctx;
    this.app = app;
    this.name = name;
    this.#stream = webhookStream(app, name);
  }

  start(): void {
    this.#done = this.#run();
  }

  /** Something changed (a new entry, an admin action): look now rather than at the next poll. */
  nudge(): void {
    this.#nudged = true;
    this.#wake.abort();
  }

  /** Stops after the current step; an attempt in flight is cut and will be made again. */
  async stop(): Promise<void> {
    this.#stop.abort();
    this.#wake.abort();
    await this.#done;
  }

  get #stopped(): boolean {
    return this.#stop.signal.aborted;
  }

  async #run(): Promise<void> {
    while (!this.#stopped) {
      try {
        await this.#step();
      } catch (error) {
        this.#ctx.logger.warn(
          { err: error, app: this.app, webhook: this.name },
          'webhook step failed',
        );
        await realSleep(this.#ctx.pollMs, this.#stop.signal);
      }
    }
  }

  async #step(): Promise<void> {
    const { state, version } = this.#mine ?? (await this.#ctx.store.load(this.app, this.name));
    this.#mine = undefined;
    if (!state.enabled || this.#ctx.target(this.app, this.name) === undefined) {
      return this.#idle();
    }
    if (state.head !== undefined) {
      if (!this.#ctx.holds(this.app, this.name, 0)) return this.#idle();
      const wait = state.head.nextAt - this.#ctx.clock.now();
      if (wait > 0) return this.#idle(wait);
      const { id } = state.head.event;
      const apply = await this.#attempt(state.head);
      if (apply === undefined) return;
      await this.#commit(state, version, (s) => s.head?.event.id === id, apply);
      return;
    }
    // An entry taken now must be acked (or come back) before the lease can pass to another
    // process, or that one would take the next entry first.
    if (!this.#ctx.holds(this.app, this.name, this.#ctx.ackWaitMs)) return this.#idle();
    return this.#take(state, version);
  }

  /**
   * Waits for a nudge, the stop, the poll interval (real time), or `clockMs` on the
   * dispatcher's clock, whichever comes first.
   */
  async #idle(clockMs?: number): Promise<void> {
    this.#mine = undefined;
    if (this.#nudged) {
      this.#nudged = false;
      return;
    }
    const wake = this.#wake;
    const done = new AbortController();
    const onWake = () => done.abort();
    wake.signal.addEventListener('abort', onWake, { once: true });
    const waits = [realSleep(this.#ctx.pollMs, done.signal)];
    if (clockMs !== undefined) waits.push(this.#ctx.clock.sleep(clockMs, done.signal));
    await Promise.race(waits);
    done.abort();
    wake.signal.removeEventListener('abort', onWake);
    if (wake.signal.aborted) {
      this.#wake = new AbortController();
      this.#nudged = false;
    }
  }

  /**
   * Takes the stream's next entry and makes its first attempt; the outcome is written (the
   * event becomes `head` unless delivered) before the entry is acked, so a process killed in
   * between leaves it in the stream, to be sent again with the same id.
   */
  async #take(state: EndpointState, version: number): Promise<void> {
    const [delivery] = await this.#ctx.log.consume(this.#stream, WEBHOOK_GROUP, {
      max: 1,
      ackWaitMs: this.#ctx.ackWaitMs,
    });
    if (delivery === undefined) return this.#idle();
    const key = delivery.id ?? `@${delivery.offset}`;
    // Taken already: its ack was lost and it came back.
    if (state.recent.includes(key)) return this.#ack(delivery);
    const event = decodeBackendEvent(delivery.payload);
    if (event === undefined) {
      this.#ctx.logger.error(
        { stream: this.#stream, offset: delivery.offset },
        'unreadable webhook entry dropped',
      );
      return this.#ack(delivery);
    }
    this.#countExpired(state.offset, delivery.offset);
    const head: Head = { event, attempts: 0, nextAt: this.#ctx.clock.now() };
    const apply = await this.#attempt(head);
    // Stopped mid-attempt: unacked, the entry comes back.
    if (apply === undefined) return;
    const { current } = await this.#commit(
      state,
      version,
      // Someone else wrote meanwhile (this process lost its lease, or an admin): only onto a
      // state that took nothing since.
      (s) => s.head === undefined && s.enabled && !s.recent.includes(key),
      (s) => apply({ ...s, head, recent: remember(s.recent, key), offset: delivery.offset }),
    );
    // Recorded (by this process or, before it, by another): done with the entry.
    if (current.recent.includes(key)) await this.#ack(delivery);
  }

  /**
   * Every entry of a webhook's stream is one of its events, so the offsets it takes follow one
   * another; a gap is events the stream's retention dropped before they were delivered
   * (counted and logged: docs/backends.md, "Bounded by retention"). A lower offset is a new
   * epoch (the engine lost the stream): nothing to count.
   */
  #countExpired(previous: number | undefined, offset: number): void {
    if (previous === undefined || offset <= previous + 1) return;
    const lost = offset - previous - 1;
    this.#ctx.metrics?.expired.inc(lost);
    this.#ctx.logger.error(
      { app: this.app, webhook: this.name, lost, after: previous },
      'webhook events dropped by the stream retention before delivery',
    );
  }

  async #ack(delivery: Delivery): Promise<void> {
    await this.#ctx.log.ack(this.#stream, WEBHOOK_GROUP, delivery);
  }

  /**
   * One attempt at `head`: resolves to how its outcome changes the state, or undefined when
   * there is none to write (stopped mid-attempt, or the webhook left the registry).
   */
  async #attempt(head: Head): Promise<((s: EndpointState) => EndpointState) | undefined> {
    const target = this.#ctx.target(this.app, this.name);
    if (target === undefined) return undefined;
    const { event } = head;
    const body = webhookBody(event);
    // The real time, whatever the dispatcher's clock: receivers check it against theirs.
    const headers = webhookHeaders(target.secrets, event.id, Math.floor(Date.now() / 1000), body);
    const started = performance.now();
    const result = await postWebhook(target.url, headers, body, {
      timeoutMs: this.#ctx.timeoutMs,
      guard: this.#ctx.guard,
      signal: this.#stop.signal,
    });
    // Stopped mid-attempt: the outcome is unknown, the head stays and is sent again (same id).
    if (result.status === undefined && result.reason === 'aborted') return undefined;
    this.#ctx.metrics?.duration.observe((performance.now() - started) / 1000);
    this.#ctx.metrics?.attempts.inc({ outcome: outcomeOf(result) });
    const attempt = head.attempts + 1;
    const now = this.#ctx.clock.now();
    const last: LastResult = {
      id: event.id,
      result: 'failed',
      attempt,
      at: now,
      ...(result.status === undefined ? { error: result.error } : { status: result.status }),
    };
    const log = { app: this.app, webhook: this.name, id: event.id, attempt, status: result.status };
    let apply: (s: EndpointState) => EndpointState;
    if (result.status !== undefined && result.status >= 200 && result.status < 300) {
      this.#ctx.metrics?.deliveries.inc({ result: 'delivered' });
      this.#ctx.logger.debug(log, 'webhook delivered');
      apply = (s) => ({
        ...without(s),
        last: { ...last, result: 'delivered' },
        delivered: s.delivered + 1,
      });
    } else if (result.status === 410) {
      this.#ctx.logger.warn(log, 'webhook endpoint answered 410 Gone: disabled');
      apply = (s) => ({
        ...s,
        enabled: false,
        disabledReason: `410 Gone at ${new Date().toISOString()}`,
        head: { ...head, attempts: attempt },
        last: { ...last, result: 'gone' },
      });
    } else {
      const scheduled = retryDelay(this.#ctx.schedule, attempt, this.#ctx.random());
      if (scheduled === undefined) {
        this.#ctx.metrics?.deliveries.inc({ result: 'dead' });
        this.#ctx.logger.warn({ ...log, error: last.error }, 'webhook dead-lettered');
        const dead: LastResult = { ...last, result: 'dead' };
        await this.#ctx.store.putDeadLetter(this.app, this.name, {
          event,
          attempts: attempt,
          last: dead,
          at: now,
        });
        apply = (s) => ({ ...without(s), last: dead, dead: s.dead + 1 });
      } else {
        const retryAfter =
          result.status === 429 || result.status === 503
            ? parseRetryAfter(
                headerOf(result.headers['retry-after']),
                Date.now(),
                this.#ctx.retryAfterMaxMs,
              )
            : undefined;
        const nextAt = now + (retryAfter ?? scheduled);
        this.#ctx.logger.info({ ...log, error: last.error, nextAt }, 'webhook attempt failed');
        apply = (s) => ({ ...s, head: { ...head, attempts: attempt, nextAt }, last });
      }
    }
    return apply;
  }

  /**
   * Writes an outcome onto the state while `applies` holds for it: someone may have written
   * meanwhile (an admin, or a process that took the lease over), and the outcome still
   * applies to what they wrote if it is about the same event. Resolves to whether it wrote,
   * and the state it saw last.
   */
  async #commit(
    state: EndpointState,
    version: number,
    applies: (s: EndpointState) => boolean,
    apply: (s: EndpointState) => EndpointState,
  ): Promise<{ written: boolean; current: EndpointState }> {
    for (let current = state, at = version; ;) {
      if (!applies(current)) return { written: false, current };
      const next = apply(current);
      const saved = await this.#ctx.store.save(this.app, this.name, next, at);
      if (saved !== undefined) {
        this.#mine = { state: next, version: saved };
        return { written: true, current: next };
      }
      ({ state: current, version: at } = await this.#ctx.store.load(this.app, this.name));
    }
  }
}

function without(state: EndpointState): EndpointState {
  const { head: _head, ...rest } = state;
  return rest;
}

function headerOf(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** The attempts metric's label: the status class, the statuses that change the schedule, or why none came. */
function outcomeOf(result: PostResult): string {
  if (result.status === undefined) return result.reason;
  if ([410, 429, 503].includes(result.status)) return String(result.status);
  return `${Math.floor(result.status / 100)}xx`;
}
