import type { Logger } from 'pino';

import { McError } from '../../sdk/protocol/errors.ts';
import {
  MAX_JOINED_SPACES,
  type Author,
  type ClientFrame,
  type EditFrame,
  type JoinFrame,
  type SlotChange,
} from '../../sdk/protocol/server-wire.ts';
import type { Engine } from '../engine/index.ts';
import type { Spaces } from '../spaces/spaces.ts';
import type { Connection, FrameRouter } from '../transport/connection.ts';
import { snapshotOf, type LostNotice } from './canvas-doc.ts';
import { CanvasStore } from './canvas-store.ts';
import { SpaceFeed } from './space-feed.ts';

/** An accepted edit as it travels between processes on `canvas.<space>`. */
interface ChangedMessage {
  readonly space: string;
  readonly gen: string;
  readonly rev: number;
  readonly slots: SlotChange[];
  readonly by: Author;
  readonly notices: LostNotice[];
}

/**
 * How stale the membership of joined connections may be when a push goes out: a member
 * removed from a space stops getting its pushes within this (joins and edits are checked
 * every time).
 */
export const MEMBERSHIP_RECHECK_MS = 1_000;

/** This process's subscription to one space's channel, and who joined it here. */
interface Channel {
  readonly feeds: Map<Connection, SpaceFeed<ChangedMessage>>;
  ready: Promise<() => Promise<void>>;
  /** Messages are handled one after the other (a membership check may come first). */
  inbox: Promise<void>;
  /** When the members of the joined connections were last checked (ms since the epoch). */
  checkedAt: number;
}

/**
 * Canvas sync: `join` (snapshot, then pushes), `leave`, `edit`. Edits are stored first
 * (CanvasStore, compare-and-set), acknowledged, then published on the engine's pub/sub
 * channel `canvas.<space>`; every process (this one included) pushes what it receives to the
 * connections that joined the space there, so processes on one Redis or NATS act as one.
 */
export class CanvasHub implements FrameRouter {
  readonly #engine: Engine;
  readonly #spaces: Spaces;
  readonly #store: CanvasStore;
  readonly #log: Logger;
  readonly #channels = new Map<string, Channel>();
  readonly #joined = new Map<Connection, Set<string>>();

  constructor(engine: Engine, spaces: Spaces, logger: Logger) {
    this.#engine = engine;
    this.#spaces = spaces;
    this.#store = new CanvasStore(engine.kv);
    this.#log = logger;
  }

  async handle(connection: Connection, frame: ClientFrame): Promise<void> {
    switch (frame.t) {
      case 'join':
        return this.#join(connection, frame);
      case 'leave':
        this.#leave(connection, frame.space);
        return;
      case 'edit':
        return this.#edit(connection, frame);
      default:
        throw new McError('MALFORMED_MESSAGE', `frame ${frame.t} is not handled here`);
    }
  }

  closed(connection: Connection): void {
    for (const space of this.#joined.get(connection) ?? []) this.#leave(connection, space);
    this.#joined.delete(connection);
  }

  /** Ends every subscription (server shutdown). */
  async close(): Promise<void> {
    const channels = [...this.#channels.values()];
    this.#channels.clear();
    await Promise.allSettled(channels.map(async (c) => (await c.ready)()));
  }

  async #join(connection: Connection, frame: JoinFrame): Promise<void> {
    const record = await this.#spaces.access(frame.space, connection.user);
    const joined = this.#joined.get(connection) ?? new Set<string>();
    if (!joined.has(frame.space) && joined.size >= MAX_JOINED_SPACES) {
      throw new McError('QUOTA_EXCEEDED', `at most ${MAX_JOINED_SPACES} spaces per connection`);
    }
    this.#leave(connection, frame.space); // a second join starts over with a new snapshot
    joined.add(frame.space);
    this.#joined.set(connection, joined);
    const channel = this.#channel(frame.space);
    const feed = new SpaceFeed<ChangedMessage>(record.gen, (message) =>
      this.#push(connection, message),
    );
    channel.feeds.set(connection, feed);
    let doc;
    try {
      // Subscribed before reading: a change stored after the read is pushed, not missed.
      await channel.ready;
      doc = await this.#store.read(frame.space, record.gen);
    } catch (error) {
      if (channel.feeds.get(connection) === feed) this.#leave(connection, frame.space);
      throw error;
    }
    if (channel.feeds.get(connection) !== feed) return; // left (or rejoined) meanwhile
    connection.send({
      t: 'snapshot',
      id: frame.id,
      space: frame.space,
      rev: doc.rev,
      slots: snapshotOf(doc),
    });
    feed.start(doc.rev);
  }

  #leave(connection: Connection, space: string): void {
    this.#joined.get(connection)?.delete(space);
    const channel = this.#channels.get(space);
    const feed = channel?.feeds.get(connection);
    if (channel === undefined || feed === undefined) return;
    feed.stop();
    channel.feeds.delete(connection);
    if (channel.feeds.size > 0) return;
    this.#channels.delete(space);
    void channel.ready.then(
      (unsubscribe) => unsubscribe(),
      () => {},
    );
  }

  async #edit(connection: Connection, frame: EditFrame): Promise<void> {
    const record = await this.#spaces.access(frame.space, connection.user, true);
    const by = { user: connection.user, device: connection.device };
    const result = await this.#store.edit(frame.space, record.gen, frame.ops, by, record.ttlMs);
    // Stored: only now is it acknowledged.
    connection.send({ t: 'ack', id: frame.id, rev: result.doc.rev, lost: result.lost });
    if (result.changes.length === 0) return;
    const message: ChangedMessage = {
      space: frame.space,
      gen: record.gen,
      rev: result.doc.rev,
      slots: result.changes,
      by,
      notices: result.notices,
    };
    try {
      await this.#engine.pubsub.publish(channelName(frame.space), JSON.stringify(message));
    } catch (error) {
      // Stored and acknowledged; the others see a jump in rev at the next push and rejoin.
      this.#log.warn({ err: error, space: frame.space }, 'publish failed');
    }
  }

  #channel(space: string): Channel {
    const existing = this.#channels.get(space);
    if (existing !== undefined) return existing;
    const channel: Channel = {
      feeds: new Map(),
      ready: Promise.resolve(async () => {}),
      inbox: Promise.resolve(),
      checkedAt: Date.now(),
    };
    channel.ready = this.#engine.pubsub.subscribe(channelName(space), (payload) => {
      channel.inbox = channel.inbox.then(() => this.#onMessage(space, channel, payload));
    });
    channel.ready.catch((error: unknown) => {
      this.#log.error({ err: error, space }, 'subscribe failed');
      // The next join subscribes again instead of waiting on this failure forever.
      if (this.#channels.get(space) === channel) this.#channels.delete(space);
    });
    this.#channels.set(space, channel);
    return channel;
  }

  async #onMessage(space: string, channel: Channel, payload: string): Promise<void> {
    let message: ChangedMessage;
    try {
      message = JSON.parse(payload) as ChangedMessage;
    } catch {
      return;
    }
    if (Date.now() - channel.checkedAt > MEMBERSHIP_RECHECK_MS) {
      channel.checkedAt = Date.now();
      await this.#recheck(space, channel);
    }
    for (const feed of channel.feeds.values()) if (message.gen === feed.gen) feed.receive(message);
  }

  /**
   * Ends the feeds of connections whose user is no longer a member (or whose space is gone
   * or was created anew), with the same NOT_FOUND as a join would get, naming the space.
   */
  async #recheck(space: string, channel: Channel): Promise<void> {
    let record;
    try {
      record = await this.#spaces.get(space);
    } catch (error) {
      this.#log.warn({ err: error, space }, 'membership check failed');
      return;
    }
    for (const [connection, feed] of [...channel.feeds]) {
      if (record?.gen === feed.gen && record.members.includes(connection.user)) continue;
      this.#leave(connection, space);
      connection.refuse('NOT_FOUND', 'no such space', undefined, space);
    }
  }

  #push(connection: Connection, message: ChangedMessage): void {
    const { space, rev, slots, by } = message;
    connection.send({ t: 'changed', space, rev, slots, by });
    for (const notice of message.notices) {
      if (notice.user !== connection.user || notice.device !== connection.device) continue;
      connection.send({ t: 'lost', space, slot: notice.slot, fields: notice.fields, by });
    }
  }
}

function channelName(space: string): string {
  return `canvas.${space}`;
}
