import { pino } from 'pino';
import { WebSocket } from 'ws';

import {
  decodeServerFrame,
  encodeClientFrame,
  SERVER_SUBPROTOCOL,
  type ClientFrame,
  type ServerFrame,
} from '../../../sdk/protocol/index.ts';
import { createServer, type McServer, type ServerOptions } from '../../../server/server.ts';
import { signToken } from '../../../server/transport/index.ts';

export const ORIGIN = 'http://host.test';
export const SECRET = 'test-secret-test-secret-test-secret-0123';

/** A server on a free port with the test origin and secret, quiet unless MC_TEST_LOG is set. */
export function startServer(options: ServerOptions = {}): Promise<McServer> {
  return createServer({
    port: 0,
    engine: { engine: 'embedded', url: ':memory:' },
    logger: pino({ level: process.env.MC_TEST_LOG ?? 'silent' }),
    hostOrigins: [ORIGIN],
    authSecret: SECRET,
    ...options,
  });
}

let devices = 0;
/** A fresh device id. */
export function deviceId(): string {
  return `dev-${process.pid}-${++devices}-${Math.random().toString(36).slice(2, 8)}`;
}

/** How to open a socket: a token for `user` unless `token` is given (null: none). */
export interface OpenOptions {
  readonly user?: string;
  readonly token?: string | null;
  readonly origin?: string | null;
  readonly device?: string;
  readonly protocols?: string[];
  /** False: the client does not answer the server's pings. */
  readonly autoPong?: boolean;
}

/** The outcome of an upgrade that was refused: its HTTP status. */
export async function upgradeStatus(server: McServer, options: OpenOptions = {}): Promise<number> {
  const ws = await rawSocket(server, options);
  return new Promise((resolve, reject) => {
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
    });
    ws.once('open', () => {
      ws.close();
      reject(new Error('upgrade was accepted'));
    });
    ws.once('error', () => {});
  });
}

async function rawSocket(server: McServer, options: OpenOptions): Promise<WebSocket> {
  const token =
    options.token === undefined ? await signToken(SECRET, options.user ?? 'ann') : options.token;
  const protocols = options.protocols ?? [
    SERVER_SUBPROTOCOL,
    ...(token === null ? [] : [`auth.${token}`]),
  ];
  const url = `${server.url.replace('http', 'ws')}/ws?device=${options.device ?? deviceId()}`;
  const origin = options.origin === undefined ? ORIGIN : options.origin;
  return new WebSocket(url, protocols, {
    ...(origin === null ? {} : { origin }),
    autoPong: options.autoPong ?? true,
  });
}

/** A connected test client: every frame it received, in order, and waits on them. */
export class TestClient {
  readonly frames: ServerFrame[] = [];
  readonly ws: WebSocket;
  closeCode: number | undefined;
  readonly closed: Promise<number>;
  #nextId = 1;
  readonly #waiters = new Set<() => void>();

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data) => {
      const result = decodeServerFrame(String(data));
      if (!result.ok) throw new Error(`undecodable server frame: ${result.error.message}`);
      this.frames.push(result.frame);
      for (const wake of this.#waiters) wake();
    });
    this.closed = new Promise((resolve) =>
      ws.once('close', (code) => {
        this.closeCode = code;
        for (const wake of this.#waiters) wake();
        resolve(code);
      }),
    );
  }

  static async open(server: McServer, options: OpenOptions = {}): Promise<TestClient> {
    const ws = await rawSocket(server, options);
    const client = new TestClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    await client.next((f) => f.t === 'welcome');
    return client;
  }

  send(frame: ClientFrame | Record<string, unknown>): void {
    this.ws.send(encodeClientFrame(frame as ClientFrame));
  }

  /** Sends a request with a fresh id and resolves with its reply. */
  async request(frame: Record<string, unknown>): Promise<ServerFrame> {
    const id = this.#nextId++;
    this.send({ ...frame, id });
    return this.next((f) => 'id' in f && f.id === id && f.t !== 'welcome');
  }

  /** The first frame (received so far or later) matching `test`; removed from the queue. */
  next<F extends ServerFrame>(test: (frame: ServerFrame) => frame is F, ms?: number): Promise<F>;
  next(test: (frame: ServerFrame) => boolean, ms?: number): Promise<ServerFrame>;
  next(test: (frame: ServerFrame) => boolean, ms = 5_000): Promise<ServerFrame> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const index = this.frames.findIndex(test);
        if (index >= 0) {
          done();
          resolve(this.frames.splice(index, 1)[0]!);
        } else if (this.closeCode !== undefined) {
          done();
          reject(new Error(`closed (${this.closeCode}) before the frame came`));
        }
      };
      const done = () => {
        clearTimeout(timer);
        this.#waiters.delete(check);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no matching frame within ${ms} ms; got ${JSON.stringify(this.frames)}`));
      }, ms);
      this.#waiters.add(check);
      check();
    });
  }

  close(): void {
    this.ws.close();
  }

  /** Joins `space`; resolves with the snapshot (or the error). */
  join(space: string): Promise<ServerFrame> {
    return this.request({ t: 'join', space });
  }

  /** Sends an edit; resolves with the ack (or the error). */
  edit(space: string, ops: unknown[]): Promise<ServerFrame> {
    return this.request({ t: 'edit', space, ops });
  }
}

/** The metric lines of `name` from /metrics. */
export async function metric(server: McServer, name: string): Promise<string> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith(name))
    .join('\n');
}
