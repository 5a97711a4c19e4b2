import { createHash } from 'node:crypto';

import type { Logger } from 'pino';

import { McError } from '../../sdk/protocol/errors.ts';
import type {
  ClientFrame,
  EventAuthor,
  EventFrame,
  FollowFrame,
  PublishFrame,
  ServerFrame,
} from '../../sdk/protocol/server-wire.ts';
import type { EventRouter } from '../delivery/router.ts';
import type { BackendEvent } from '../delivery/types.ts';
import type { AppendResult, Engine } from '../engine/index.ts';
import type { Spaces } from '../spaces/spaces.ts';
import type { BusMetrics } from './bus-metrics.ts';
import { SyncedStates } from './synced-states.ts';

/** Entries read from the log per round trip while a follower catches up. */
const READ_BATCH = 256;
/** How old a channel's membership check may be when an event arrives (as canvas sync). */
export const FOLLOW_RECHECK_MS = 1_000;
/**
 * How often a quiet channel's membership is checked all the same: its space may have been
 * deleted and created anew (a new generation, a new stream), and its followers would hear
 * nothing more and never be told.
 */
export const QUIET_RECHECK_MS = 5_000;

/**
 * Bytes a catch-up lets queue for a follower before it waits for them to drain: a replay of
 * thousands of events sent at once would pass the transport's slow-reader bound (1 MiB)
 * and get a client that reads perfectly well cut.
 */
export const CATCH_UP_BUFFER_BYTES = 256 * 1024;
/** How often a paused catch-up looks at the follower's buffer. */
const DRAIN_POLL_MS = 10;

/** Whom the bus pushes to: a connection, as the transport makes them. */
export interface Follower {
  readonly user: string;
  readonly device: string;
  /** Bytes queued for the follower and not yet sent. */
  readonly buffered: number;
  send(frame: ServerFrame): boolean;
}

/** An event as stored in a space's stream (the log entry's payload). */
interface StoredEvent {
  readonly msgId: string;
  readonly app: string;
  readonly topic?: string;
  readonly data: string;
  readonly by: EventAuthor;
}

/** What travels on the pub/sub channel of a stream: a new entry, for followers elsewhere. */
interface Appended {
  readonly epoch: string;
  readonly offset: number;
  readonly event: StoredEvent;
}

/** One follower's place in one stream; pushes go out in offset order, one catch-up at a time. */
interface Feed {
  readonly space: string;
  readonly stream: string;
  epoch: string;
  /** The last offset sent to the follower. */
  sent: number;
  /** A catch-up read is running; notifications meanwhile only mark it `dirty`. */
  busy: boolean;
  dirty: boolean;
  closed: boolean;
}

interface Channel {
  readonly space: string;
  readonly gen: string;
  readonly feeds: Map<Follower, Feed>;
  readonly ready: Promise<() => Promise<void>>;
  /** When the followers' membership was last checked. */
  checkedAt: number;
  /**
   * The dispatch of the entries heard so far: each waits for the one before, so that the
   * membership re-check (which awaits the engine) does not let the next entry overtake the
   * one it holds; an overtaken entry sends every follower of the process to the log.
   */
  dispatched: Promise<void>;
}

/**
 * Event sync (docs/decisions/0016-event-sync.md): `publish` appends to the space's stream in
 * the engine's log (one stream per space and generation, dedup by the publisher's message
 * id, the engine's retention) and announces the entry on the stream's pub/sub channel;
 * `follow` resumes a follower from its last `{epoch, offset}` when the log still holds
 * everything after it (`recovered: true`), and otherwise tells it so and hands it the
 * space's public states (`recovered: false`). Every process on one Redis or NATS pushes what
 * it hears to the followers it holds, in offset order: an entry that arrives ahead of its
 * predecessor, or a follower that fell behind, is caught up from the log, so nothing within
 * retention is lost or sent twice.
 */
export class EventBus {
  readonly #engine: Engine;
  readonly #spaces: Spaces;
  readonly #states: SyncedStates;
  readonly #log: Logger;
  readonly #metrics: BusMetrics | undefined;
  readonly #router: EventRouter | undefined;
  readonly #channels = new Map<string, Channel>();
  readonly #following = new Map<Follower, Map<string, Feed>>();
  readonly #sweep: NodeJS.Timeout;

  /** @param router takes every stored topic event to app backends before it is acknowledged. */
  constructor(
    engine: Engine,
    spaces: Spaces,
    logger: Logger,
    metrics?: BusMetrics,
    router?: EventRouter,
  ) {
    this.#engine = engine;
    this.#router = router;
    this.#spaces = spaces;
    this.#states = new SyncedStates(engine.kv);
    this.#log = logger;
    this.#metrics = metrics;
    this.#sweep = setInterval(() => {
      for (const channel of this.#channels.values()) {
        if (Date.now() - channel.checkedAt > QUIET_RECHECK_MS) void this.#recheck(channel);
      }
    }, FOLLOW_RECHECK_MS);
    this.#sweep.unref();
  }

  /** Whether this bus handles `frame`. */
  static handles(frame: ClientFrame): boolean {
    return frame.t === 'publish' || frame.t === 'follow' || frame.t === 'unfollow';
  }

  async handle(follower: Follower, frame: ClientFrame): Promise<void> {
    switch (frame.t) {
      case 'publish':
        return this.#publish(follower, frame);
      case 'follow':
        return this.#follow(follower, frame);
      case 'unfollow':
        this.#unfollow(follower, frame.space);
        return;
      default:
        throw new McError('MALFORMED_MESSAGE', `frame ${frame.t} is not handled here`);
    }
  }

  closed(follower: Follower): void {
    for (const space of [...(this.#following.get(follower)?.keys() ?? [])]) {
      this.#unfollow(follower, space);
    }
    this.#following.delete(follower);
  }

  /** Ends every subscription (server shutdown). */
  async close(): Promise<void> {
    clearInterval(this.#sweep);
    const channels = [...this.#channels.values()];
    this.#channels.clear();
    await Promise.allSettled(channels.map(async (c) => (await c.ready)()));
  }

  async #publish(from: Follower, frame: PublishFrame): Promise<void> {
    // The relay's own rule; each receiving broker checks the app's manifest again.
    if (frame.topic !== undefined && !frame.topic.startsWith(`${frame.app}.`)) {
      throw new McError('NOT_PERMITTED', "a topic must be in its app's namespace");
    }
    const record = await this.#spaces.access(frame.space, from.user, true);
    const stream = streamOf(frame.space, record.gen);
    if (frame.topic === undefined) await this.#states.admit(stream, frame.app, frame.data);
    const event: StoredEvent = {
      msgId: frame.msgId,
      app: frame.app,
      ...(frame.topic === undefined ? {} : { topic: frame.topic }),
      data: frame.data,
      by: { user: from.user, device: from.device },
    };
    const id = dedupId(from, frame.msgId);
    const { epoch, offset, duplicate } = await this.#engine.log.append(
      stream,
      JSON.stringify(event),
      id,
    );
    if (frame.topic === undefined && !duplicate) {
      await this.#states.put(stream, frame.app, { data: frame.data, epoch, offset }, record.ttlMs);
    }
    this.#metrics?.appends.inc({ result: duplicate ? 'duplicate' : 'stored' });
    // Routed before the ack: a failure fails the publish; the client's resend routes it again.
    const router = frame.topic === undefined ? undefined : this.#router;
    const result = { epoch, offset, duplicate };
    const stored = await this.#route(router, frame.space, stream, id, result, event);
    // Stored: only now is it acknowledged.
    from.send({ t: 'published', id: frame.id, epoch, offset });
    await this.#announce(frame.space, stream, result, stored);
  }

  /**
   * An event an app's backend publishes (`POST /apps/:app/events`, docs/backends.md): the
   * caller checked the app's credential and that `topic` is one its manifest publishes. The
   * server stamps `by: {backend: true}`, never the caller. Stored in the space's stream
   * like a widget's event (dedup by the backend's message id within its app), routed to
   * app backends, and announced, so followers on every process get it; NOT_FOUND when the
   * space does not exist.
   */
  async publishFromBackend(
    app: string,
    space: string,
    topic: string,
    data: string,
    msgId: string,
  ): Promise<AppendResult> {
    if (!topic.startsWith(`${app}.`)) {
      throw new McError('NOT_PERMITTED', "a topic must be in its app's namespace");
    }
    const record = await this.#spaces.get(space);
    if (record === undefined) throw new McError('NOT_FOUND', 'no such space');
    const stream = streamOf(space, record.gen);
    const event: StoredEvent = { msgId, app, topic, data, by: { backend: true } };
    // Apart from every user's ids: a user id never holds a NUL.
    const hash = createHash('sha256').update(`\0backend\n${app}\n${msgId}`).digest('base64url');
    const id = hash.slice(0, 32);
    const result = await this.#engine.log.append(stream, JSON.stringify(event), id);
    this.#metrics?.appends.inc({ result: result.duplicate ? 'duplicate' : 'stored' });
    const stored = await this.#route(this.#router, space, stream, id, result, event);
    await this.#announce(space, stream, result, stored);
    return result;
  }

  /**
   * Takes a stored topic event to app backends, duplicates too: the copy that was stored may
   * never have been routed (the process died in between), and the routes dedup by event id.
   * Resolves to the event to announce: for a resend, the copy first stored (read once;
   * undefined when retention dropped it).
   */
  async #route(
    router: EventRouter | undefined,
    space: string,
    stream: string,
    id: string,
    { offset, duplicate }: AppendResult,
    event: StoredEvent,
  ): Promise<StoredEvent | undefined> {
    if (!duplicate) {
      if (router !== undefined) {
        await router.route(backendEvent(space, stream, id, event, Date.now()));
      }
      return event;
    }
    const first = await this.#storedEntry(stream, offset);
    if (first !== undefined && router !== undefined) {
      await router.route(backendEvent(space, stream, id, first.event, first.time));
    }
    return first?.event;
  }

  /**
   * Tells every process's followers of a stored event. A resend is announced again, with the
   * copy first stored: the process that stored it may have died before announcing it, and
   * followers would wait for the next event. Followers that have it drop it by offset.
   */
  async #announce(
    space: string,
    stream: string,
    { epoch, offset }: AppendResult,
    stored: StoredEvent | undefined,
  ): Promise<void> {
    if (stored === undefined) return;
    try {
      const appended: Appended = { epoch, offset, event: stored };
      await this.#engine.pubsub.publish(channelOf(stream), JSON.stringify(appended));
    } catch (error) {
      // Stored: followers get it with the next entry they hear of, or when they resume.
      this.#log.warn({ err: error, space }, 'event publish failed');
    }
  }

  /** The event stored at `offset` and when, or undefined when retention dropped it. */
  async #storedEntry(
    stream: string,
    offset: number,
  ): Promise<{ event: StoredEvent; time: number } | undefined> {
    const { entries } = await this.#engine.log.read(stream, offset - 1, 1);
    const entry = entries[0];
    if (entry?.offset !== offset) return undefined;
    return { event: JSON.parse(entry.payload) as StoredEvent, time: entry.time };
  }

  async #follow(follower: Follower, frame: FollowFrame): Promise<void> {
    const record = await this.#spaces.access(frame.space, follower.user);
    this.#unfollow(follower, frame.space);
    const stream = streamOf(frame.space, record.gen);
    const channel = this.#channel(frame.space, record.gen);
    const feed: Feed = {
      space: frame.space,
      stream,
      epoch: '',
      sent: 0,
      busy: true,
      dirty: false,
      closed: false,
    };
    channel.feeds.set(follower, feed);
    const mine = this.#following.get(follower) ?? new Map<string, Feed>();
    mine.set(frame.space, feed);
    this.#following.set(follower, mine);
    try {
      // Subscribed before reading: an entry stored after the read is heard of, not missed.
      await channel.ready;
      const { from } = frame;
      const head = await this.#engine.log.read(stream, from?.offset ?? 0, 1);
      const recovered =
        from !== undefined &&
        (from.epoch === head.epoch
          ? from.offset >= head.first - 1 && from.offset <= head.last
          : // A follower that followed the stream before it had any entry missed nothing
            // if the stream still holds its first entry.
            from.epoch === '' && from.offset === 0 && head.first <= 1);
      feed.epoch = head.epoch;
      feed.sent = recovered ? from.offset : head.last;
      const resumed: ServerFrame = {
        t: 'resumed',
        id: frame.id,
        space: frame.space,
        recovered,
        epoch: head.epoch,
        offset: head.last,
      };
      if (!recovered) resumed.states = await this.#states.all(stream);
      this.#metrics?.resumes.inc({ recovered: from === undefined ? 'new' : String(recovered) });
      if (feed.closed) return;
      follower.send(resumed);
    } catch (error) {
      this.#unfollow(follower, frame.space);
      throw error;
    }
    await this.#catchUp(follower, feed);
  }

  #unfollow(follower: Follower, space: string): void {
    const feed = this.#following.get(follower)?.get(space);
    if (feed === undefined) return;
    feed.closed = true;
    this.#following.get(follower)!.delete(space);
    const channel = this.#channels.get(feed.stream);
    if (channel === undefined) return;
    channel.feeds.delete(follower);
    if (channel.feeds.size > 0) return;
    this.#channels.delete(feed.stream);
    void channel.ready.then(
      (unsubscribe) => unsubscribe(),
      () => {},
    );
  }

  #channel(space: string, gen: string): Channel {
    const stream = streamOf(space, gen);
    let channel = this.#channels.get(stream);
    if (channel !== undefined) return channel;
    const feeds = new Map<Follower, Feed>();
    const ready = this.#engine.pubsub.subscribe(channelOf(stream), (payload) => {
      let appended: Appended;
      try {
        appended = JSON.parse(payload) as Appended;
      } catch {
        return;
      }
      const ch = channel!;
      ch.dispatched = ch.dispatched
        .then(() => this.#dispatch(ch, appended))
        .catch((error: unknown) => this.#log.error({ err: error, stream }, 'dispatch failed'));
    });
    ready.catch((error: unknown) => this.#log.error({ err: error, stream }, 'subscribe failed'));
    channel = { space, gen, feeds, ready, checkedAt: Date.now(), dispatched: Promise.resolve() };
    this.#channels.set(stream, channel);
    return channel;
  }

  /**
   * Hands a new entry to the channel's feeds, after checking (at most every
   * {@link FOLLOW_RECHECK_MS}) that their users are still members: one removed, or a space
   * gone or created anew, ends the feed with the NOT_FOUND a follow would get (SRV-2).
   * Called in the order entries are heard; entries that overtake each other on pub/sub are put
   * back in order by the feeds.
   */
  async #dispatch(channel: Channel, appended: Appended): Promise<void> {
    if (Date.now() - channel.checkedAt > FOLLOW_RECHECK_MS) await this.#recheck(channel);
    for (const [follower, feed] of channel.feeds) this.#heard(follower, feed, appended);
  }

  /**
   * Ends the feeds of followers who are no longer members, or whose space is gone or was
   * created anew, with the NOT_FOUND a follow would get (SRV-2).
   */
  async #recheck(channel: Channel): Promise<void> {
    channel.checkedAt = Date.now();
    try {
      const record = await this.#spaces.get(channel.space);
      for (const follower of [...channel.feeds.keys()]) {
        if (record?.gen === channel.gen && record.members.includes(follower.user)) continue;
        this.#unfollow(follower, channel.space);
        follower.send({
          t: 'error',
          space: channel.space,
          code: 'NOT_FOUND',
          message: 'no such space',
        });
      }
    } catch (error) {
      this.#log.warn({ err: error, space: channel.space }, 'membership check failed');
    }
  }

  /** A new entry: sent at once when it is the next one, else the feed catches up. */
  #heard(follower: Follower, feed: Feed, appended: Appended): void {
    if (feed.busy) {
      feed.dirty = true;
      return;
    }
    if (appended.epoch === feed.epoch) {
      if (appended.offset <= feed.sent) return;
      if (appended.offset === feed.sent + 1) {
        feed.sent = appended.offset;
        follower.send(eventFrame(feed, appended.offset, appended.event));
        return;
      }
    }
    feed.busy = true;
    this.#metrics?.catchUps.inc();
    void this.#catchUp(follower, feed);
  }

  /**
   * Sends every entry after `feed.sent` from the log, in order, until none is left (also
   * those heard of meanwhile). When the log no longer holds the next one (retention, or the
   * engine lost the stream and it has a new epoch), the follower gets `resumed` with
   * `recovered: false` and the space's states, then what the log still holds.
   */
  async #catchUp(follower: Follower, feed: Feed): Promise<void> {
    feed.busy = true;
    try {
      do {
        feed.dirty = false;
        for (;;) {
          const read = await this.#engine.log.read(feed.stream, feed.sent, READ_BATCH);
          if (feed.closed) return;
          // Followed before the stream had an entry: its first epoch is no loss.
          if (feed.epoch === '' && feed.sent === 0) feed.epoch = read.epoch;
          if (read.epoch !== feed.epoch || read.first > feed.sent + 1) {
            if (read.epoch !== feed.epoch) feed.sent = 0;
            if (read.first > feed.sent + 1) feed.sent = read.first - 1;
            feed.epoch = read.epoch;
            this.#metrics?.resumes.inc({ recovered: 'false' });
            const states = await this.#states.all(feed.stream);
            follower.send({
              t: 'resumed',
              space: feed.space,
              recovered: false,
              epoch: read.epoch,
              offset: feed.sent,
              states,
            });
            continue;
          }
          for (const entry of read.entries) {
            while (follower.buffered > CATCH_UP_BUFFER_BYTES && !feed.closed) {
              await new Promise((resolve) => setTimeout(resolve, DRAIN_POLL_MS));
            }
            if (feed.closed) return;
            feed.sent = entry.offset;
            follower.send(eventFrame(feed, entry.offset, JSON.parse(entry.payload) as StoredEvent));
          }
          if (read.entries.length < READ_BATCH) break;
        }
      } while (feed.dirty && !feed.closed);
    } catch (error) {
      this.#log.warn({ err: error, stream: feed.stream }, 'catch-up failed');
      // Tried again with the next entry heard of; a resume after reconnecting also recovers.
    } finally {
      feed.busy = false;
    }
  }
}

function eventFrame(feed: Feed, offset: number, event: StoredEvent): EventFrame {
  const frame: EventFrame = {
    t: 'event',
    space: feed.space,
    epoch: feed.epoch,
    offset,
    msgId: event.msgId,
    app: event.app,
    data: event.data,
    by: event.by,
  };
  if (event.topic !== undefined) frame.topic = event.topic;
  return frame;
}

/** One stream per space and generation: a space created anew starts a new history. */
function streamOf(space: string, gen: string): string {
  return `bus.${space}.${gen}`;
}

function channelOf(stream: string): string {
  return `${stream}.new`;
}

/**
 * The log's dedup key: the message id within its publisher (user and device), so that one
 * user cannot suppress another's event by reusing its id.
 */
function dedupId(from: Follower, msgId: string): string {
  return createHash('sha256')
    .update(`${from.user}\n${from.device}\n${msgId}`)
    .digest('base64url')
    .slice(0, 32);
}

/**
 * The event as app backends get it. Its id derives from the stream (space and generation)
 * and the log's dedup id, so a resend carries the same id and every hop dedups it.
 */
function backendEvent(
  space: string,
  stream: string,
  dedup: string,
  event: StoredEvent,
  time: number,
): BackendEvent {
  const id = createHash('sha256').update(`${stream}\n${dedup}`).digest('base64url').slice(0, 32);
  return { id, space, app: event.app, topic: event.topic!, data: event.data, by: event.by, time };
}
