import { McError } from '../../sdk/protocol/errors.ts';
import { MAX_OPS_PER_EDIT, type Author, type ServerFrame } from '../../sdk/protocol/server-wire.ts';
import type { CanvasLike, ModelHost, Slot } from '../model/canvas-model.ts';
import { ReplicaRows, type TabLocks } from './replica-rows.ts';
import { IdbReplicaStore, type ReplicaStore } from './replica-store.ts';
import type { LinkState, ServerLink } from './server-link.ts';
import { SlotReplica } from './slot-replica.ts';

/**
 * Where a remote canvas is: `offline` (no connection: edits are kept on this device),
 * `joining` (connected, waiting for the snapshot), `syncing` (joined, edits on their way),
 * `synced` (joined, nothing unsent) or `refused` (the server refused this space or its edits).
 */
export type RemoteStatus = 'offline' | 'joining' | 'syncing' | 'synced' | 'refused';

/** An earlier write of this device that did not last: another device's later write, or a removal, won. */
export interface LostNotice {
  readonly space: string;
  readonly slot: string;
  readonly fields: readonly string[];
  /** Who won; absent when the slot had been removed before this device's write arrived. */
  readonly by?: Author;
}

/** Options of a {@link CanvasRemote}. */
export interface CanvasRemoteOptions {
  /** The connection to the server (one per page, shared by every space). */
  link: ServerLink;
  /** The space whose canvas this is. */
  space: string;
  /** Where unacknowledged edits and the last server state are kept; default IndexedDB. */
  store?: ReplicaStore;
  /**
   * Web Locks, which give each tab a row of its own in `store` (default `navigator.locks`);
   * `null`: one row per space, shared by the tabs.
   */
  locks?: TabLocks | null;
  /** Told about failures that change nothing visible (storage, a refused edit before a resync). */
  onError?: (error: unknown) => void;
}

/** Errors after which the same request may succeed on a new connection. */
const TRANSIENT = new Set(['APP_DISCONNECTED', 'NOT_READY', 'CALL_TIMEOUT']);

/**
 * One canvas kept equal with a space on a microcanvas server, slot by slot: joins the space
 * when the link is online and shows its snapshot, turns every local layout change into ops
 * (each with the revision of the slot it changes, as last seen), sends one edit at a time,
 * and applies the `changed` pushes of every device (its own echoes included, which change
 * nothing). Edits not yet acknowledged are kept in a {@link ReplicaStore} and sent again
 * after a reconnect or a reload; the server decides per field, and a write of this device
 * that lost is told to {@link onLost} listeners.
 *
 * With a server, the server owns the layout: a snapshot replaces the local one (edits not yet
 * sent stay on top). The canvas's `CanvasPersistence` (microcanvas/sync) stays its offline cache, but
 * should not also merge other tabs (each tab is a client of the server): docs/sync.md.
 */
export class CanvasRemote {
  readonly space: string;
  readonly #canvas: CanvasLike<ModelHost>;
  readonly #link: ServerLink;
  readonly #rows: ReplicaRows;
  readonly #onError: (error: unknown) => void;
  #replica = new SlotReplica();
  #user: string | undefined;
  #status: RemoteStatus = 'offline';
  #error: McError | undefined;
  #joined = false;
  #joinSeq = 0;
  #applying = false;
  #stops: Array<() => void> = [];
  #started = false;
  #saving: Promise<void> = Promise.resolve();
  #saveQueued = false;
  readonly #listeners = new Set<() => void>();
  readonly #lostListeners = new Set<(notice: LostNotice) => void>();

  constructor(canvas: CanvasLike<ModelHost>, options: CanvasRemoteOptions) {
    this.#canvas = canvas;
    this.#link = options.link;
    this.space = options.space;
    const locks =
      options.locks === undefined
        ? (globalThis.navigator?.locks as TabLocks | undefined)
        : (options.locks ?? undefined);
    this.#rows = new ReplicaRows(options.store ?? new IdbReplicaStore(), this.space, locks);
    this.#onError = options.onError ?? (() => {});
  }

  /** The current status. */
  get status(): RemoteStatus {
    return this.#status;
  }

  /** Why the status is `refused`. */
  get error(): McError | undefined {
    return this.#error;
  }

  /** Local edits the server has not acknowledged yet. */
  get pending(): number {
    return this.#replica.pendingCount;
  }

  /** Calls `listener` after each change of status or of the pending count; returns the function that stops it. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Calls `listener` with each lost write of this device; returns the function that stops it. */
  onLost(listener: (notice: LostNotice) => void): () => void {
    this.#lostListeners.add(listener);
    return () => this.#lostListeners.delete(listener);
  }

  /**
   * Loads the edits kept from an earlier visit, then follows the canvas and the link (and
   * starts the link). Start it after the canvas shows its cached layout (a persistence's
   * `start()`), so that the cached layout is the base of edits made before the first join.
   */
  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    try {
      // This tab's row, and those of tabs that closed with edits unsent (replica-rows.ts).
      let found = false;
      for (const row of await this.#rows.open()) {
        const stored = row.data as { user?: unknown; replica?: unknown } | undefined;
        const user = typeof stored?.user === 'string' ? stored.user : undefined;
        if (!stored?.replica || (found && user !== this.#user)) continue;
        const replica = SlotReplica.from(stored.replica);
        if (found) this.#replica.adopt(replica);
        else this.#replica = replica;
        this.#user = user;
        found = true;
      }
      if (!found) this.#replica.assume(this.#canvas.layout);
    } catch (error) {
      this.#onError(error);
      this.#replica.assume(this.#canvas.layout);
    }
    if (!this.#started) return;
    this.#stops.push(
      this.#canvas.onChange(this.#onLocal),
      this.#link.onState(this.#onLinkState),
      this.#link.onFrame(this.#onFrame),
    );
    this.#link.start();
    this.#onLinkState(this.#link.state);
  }

  /** Stops following the canvas and the server (the link stays open for others); keeps unsent edits stored. */
  stop(): void {
    if (!this.#started) return;
    this.#started = false;
    for (const stop of this.#stops.splice(0)) stop();
    if (this.#joined) this.#link.send({ t: 'leave', space: this.space });
    this.#joined = false;
    this.#joinSeq++;
    this.#replica.requeue();
    this.#persist();
    // The lock goes once the last save is done: a tab that starts later may then adopt the row.
    void this.#saving.then(() => this.#rows.close());
  }

  #onLinkState = (state: LinkState): void => {
    if (state === 'online') {
      void this.#join();
      return;
    }
    this.#joined = false;
    this.#joinSeq++;
    this.#replica.requeue();
    if (state === 'refused') {
      this.#error = this.#link.error;
      this.#setStatus('refused');
    } else this.#setStatus('offline');
  };

  async #join(): Promise<void> {
    const seq = ++this.#joinSeq;
    this.#joined = false;
    this.#setStatus('joining');
    let snapshot;
    try {
      snapshot = await this.#link.request({ t: 'join', space: this.space });
    } catch (error) {
      if (seq !== this.#joinSeq) return;
      const e = error instanceof McError ? error : new McError('MALFORMED_MESSAGE', String(error));
      if (TRANSIENT.has(e.code)) {
        // A join that timed out on a live socket: start over on a new connection.
        if (e.code === 'CALL_TIMEOUT') this.#link.reconnect();
        return;
      }
      // Not a member, or no such space: the same refusal either way (the server tells nothing more).
      this.#error = e;
      this.#setStatus('refused');
      return;
    }
    if (seq !== this.#joinSeq || !this.#started) return;
    const user = this.#link.welcome?.user;
    if (user !== undefined && this.#user !== undefined && user !== this.#user) {
      // Edits kept for another user of this browser are not this user's to send.
      this.#replica = new SlotReplica();
    }
    this.#user = user;
    const fresh = snapshot.rev === 0 && snapshot.slots.length === 0;
    this.#replica.snapshot(snapshot.rev, snapshot.slots);
    // A space nobody has written yet starts from this canvas's layout.
    if (fresh) this.#replica.record(this.#canvas.layout, this.#shown);
    this.#joined = true;
    this.#error = undefined;
    this.#show();
    this.#persist();
    this.#setStatus(this.#replica.pendingCount > 0 ? 'syncing' : 'synced');
    void this.#flush();
  }

  /** Sends the pending edits, one `edit` at a time, while joined. */
  async #flush(): Promise<void> {
    if (!this.#joined || this.#replica.inflight) return;
    const ops = this.#replica.takeBatch(MAX_OPS_PER_EDIT);
    if (ops.length === 0) {
      this.#setStatus('synced');
      return;
    }
    this.#setStatus('syncing');
    const seq = this.#joinSeq;
    try {
      const ack = await this.#link.request({ t: 'edit', space: this.space, ops });
      if (seq !== this.#joinSeq) return;
      this.#replica.ack(ack.rev, ack.lost);
      for (const lost of ack.lost) {
        this.#tellLost({ space: this.space, slot: lost.slot, fields: lost.fields });
      }
      if (ack.lost.length > 0) this.#show();
    } catch (error) {
      if (seq !== this.#joinSeq) return;
      const e = error instanceof McError ? error : new McError('MALFORMED_MESSAGE', String(error));
      if (TRANSIENT.has(e.code)) {
        // Kept, and sent again after the next join (the server may have stored it: the
        // fields it writes are the same, so sending it twice changes nothing).
        this.#replica.requeue();
        if (e.code === 'CALL_TIMEOUT') this.#link.reconnect();
        this.#persist();
        return;
      }
      // Refused for good (malformed, over a limit): it would fail again. Drop it and take
      // the server's canvas as it is.
      this.#replica.dropInflight();
      this.#onError(e);
      this.#persist();
      void this.#join();
      return;
    }
    this.#persist();
    await this.#flush();
  }

  #onLocal = (): void => {
    if (this.#applying || !this.#started) return;
    if (this.#replica.record(this.#canvas.layout, this.#shown) === 0) return;
    this.#persist();
    this.#emit();
    void this.#flush();
  };

  #onFrame = (frame: ServerFrame): void => {
    if (frame.t === 'changed' && frame.space === this.space && this.#joined) {
      const result = this.#replica.changed(frame.rev, frame.slots);
      // A push was missed: a new snapshot, rather than guessing what it said.
      if (result.gap) void this.#join();
      else if (result.changed) this.#show();
      this.#persist();
    } else if (frame.t === 'lost' && frame.space === this.space) {
      const { space, slot, fields, by } = frame;
      this.#tellLost({ space, slot, fields, by });
    }
  };

  #shown = (app: string): boolean => this.#canvas.host.manifest(app) !== undefined;

  /** Shows the visible layout on the canvas (apps not registered here are left out), without recording it. */
  #show(): void {
    const current = this.#canvas.layout;
    const next = this.#replica.visible(current).filter((s) => this.#shown(s.app));
    if (sameLayout(current, next)) return;
    this.#applying = true;
    try {
      this.#canvas.layout = next;
    } finally {
      this.#applying = false;
    }
  }

  #tellLost(notice: LostNotice): void {
    for (const listener of [...this.#lostListeners]) {
      try {
        listener(notice);
      } catch (error) {
        this.#onError(error);
      }
    }
  }

  /** Saves the replica after this task; saves never overlap, and a burst makes one save. */
  #persist(): void {
    this.#emit();
    if (this.#saveQueued) return;
    this.#saveQueued = true;
    this.#saving = this.#saving.then(async () => {
      this.#saveQueued = false;
      try {
        await this.#rows.save({ user: this.#user, replica: this.#replica.toData() });
      } catch (error) {
        this.#onError(error);
      }
    });
  }

  #setStatus(status: RemoteStatus): void {
    if (status === this.#status) return;
    this.#status = status;
    this.#emit();
  }

  #emit(): void {
    for (const listener of [...this.#listeners]) listener();
  }
}

function sameLayout(a: readonly Slot[], b: readonly Slot[]): boolean {
  return a.length === b.length && JSON.stringify(a) === JSON.stringify(b);
}
