import {
  decodeClientFrame,
  encodeServerFrame,
  type ServerFrame,
  type SlotChange,
  type SlotField,
  type SlotFields,
} from '../../../sdk/protocol/server-wire.ts';
import type { LinkSocket, SocketFactory } from '../../../shell/remote/server-link.ts';

/**
 * A socket whose other end is a test: `deliver` plays a server frame (or raw text), `sent`
 * holds what the link sent. Events fire on a later macrotask, as a real socket's do.
 */
export class FakeSocket implements LinkSocket {
  protocol = 'microcanvas.1';
  readonly sent: string[] = [];
  closed: { code?: number; reason?: string } | undefined;
  onopen: LinkSocket['onopen'] = null;
  onmessage: LinkSocket['onmessage'] = null;
  onclose: LinkSocket['onclose'] = null;
  onerror: LinkSocket['onerror'] = null;
  /** Called with each frame the link sends. */
  onSend: (text: string) => void = () => {};

  constructor(
    readonly url: string,
    readonly protocols: string[],
  ) {}

  send(data: string): void {
    if (this.closed) throw new Error('send on a closed socket');
    this.sent.push(data);
    this.onSend(data);
  }

  close(code?: number, reason?: string): void {
    this.closed ??= { code, reason };
  }

  deliver(frame: ServerFrame | string): void {
    const data = typeof frame === 'string' ? frame : encodeServerFrame(frame);
    setImmediate(() => {
      if (!this.closed) this.onmessage?.({ data });
    });
  }

  /** The server (or the network) ends the connection. */
  end(code = 1006, reason = ''): void {
    this.closed ??= { code, reason };
    setImmediate(() => this.onclose?.({ code, reason }));
  }
}

export const WELCOME = {
  t: 'welcome',
  v: 1,
  user: 'demo',
  device: 'device-1',
  heartbeatMs: 15_000,
  limits: { maxFrameBytes: 65536, ratePerSec: 50 },
} as const;

interface FieldState {
  value: unknown;
  rev: number;
}

/**
 * The server's canvas rules in miniature, for the client's tests: one space, per-field
 * revisions, last writer wins in arrival order, `changed` pushed to every joined socket (the
 * author's too), `lost` to the earlier writer of a field overwritten without being seen.
 * The real server is tested in test/server/.
 */
export class FakeServer {
  rev = 0;
  readonly slots = new Map<string, Map<string, FieldState & { device: string }>>();
  readonly removed = new Map<string, number>();
  readonly sockets = new Set<FakeSocket>();
  readonly joined = new Set<FakeSocket>();
  /** Users allowed into the space. */
  members = new Set(['demo']);

  /** A socket factory for a link of `user`. */
  factory(user = 'demo'): SocketFactory & { last?: FakeSocket } {
    const open = ((url: string, protocols: string[]) => {
      const socket = new FakeSocket(url, protocols);
      const device = new URL(url).searchParams.get('device') ?? '';
      this.sockets.add(socket);
      open.last = socket;
      socket.onSend = (text) => this.#receive(socket, user, device, text);
      socket.deliver({ ...WELCOME, user, device });
      return socket;
    }) as SocketFactory & { last?: FakeSocket };
    return open;
  }

  /** Ends every connection, as a network failure does. */
  dropAll(): void {
    for (const socket of this.sockets) socket.end();
    this.sockets.clear();
    this.joined.clear();
  }

  #receive(socket: FakeSocket, user: string, device: string, text: string): void {
    if (!this.sockets.has(socket)) return;
    const decoded = decodeClientFrame(text);
    if (!decoded.ok) throw decoded.error;
    const frame = decoded.frame;
    if (frame.t === 'ping') socket.deliver({ t: 'pong', id: frame.id });
    else if (frame.t === 'leave') this.joined.delete(socket);
    // Event sync is not faked here; `unfollow` has no id to refuse.
    else if (frame.t === 'unfollow') return;
    else if (!this.members.has(user)) {
      socket.deliver({ t: 'error', id: frame.id, code: 'NOT_FOUND', message: 'no such space' });
    } else if (frame.t === 'join') {
      this.joined.add(socket);
      const slots = [...this.slots].map(([slot, f]) => ({
        slot,
        rev: Math.max(...[...f.values()].map((v) => v.rev)),
        fields: Object.fromEntries([...f].map(([k, v]) => [k, v.value])) as SlotFields,
      }));
      socket.deliver({ t: 'snapshot', id: frame.id, space: frame.space, rev: this.rev, slots });
    } else if (frame.t === 'edit') {
      const rev = ++this.rev;
      const changes: SlotChange[] = [];
      const lost: Array<{ slot: string; fields: SlotField[] }> = [];
      for (const op of frame.ops) {
        if (op.remove) {
          this.slots.delete(op.slot);
          this.removed.set(op.slot, rev);
          changes.push({ slot: op.slot, rev, removed: true });
          continue;
        }
        const removedAt = this.removed.get(op.slot) ?? 0;
        if (removedAt > op.base && !this.slots.has(op.slot)) {
          lost.push({ slot: op.slot, fields: Object.keys(op.set ?? {}) as SlotField[] });
          continue;
        }
        const fields = this.slots.get(op.slot) ?? new Map();
        for (const [field, value] of Object.entries(op.set ?? {})) {
          const prior = fields.get(field);
          if (prior && prior.rev > op.base && prior.device !== device) {
            this.#tell(prior.device, {
              t: 'lost',
              space: frame.space,
              slot: op.slot,
              fields: [field as SlotField],
              by: { user, device },
            });
          }
          fields.set(field, { value, rev, device });
        }
        this.slots.set(op.slot, fields);
        changes.push({ slot: op.slot, rev, set: op.set ?? {} });
      }
      socket.deliver({ t: 'ack', id: frame.id, rev, lost });
      for (const s of this.joined) {
        s.deliver({ t: 'changed', space: frame.space, rev, slots: changes, by: { user, device } });
      }
    }
  }

  #tell(device: string, frame: ServerFrame): void {
    for (const s of this.joined) {
      if (new URL(s.url).searchParams.get('device') === device) s.deliver(frame);
    }
  }
}
