/**
 * A server process of the fan-out bench (server/bench/fanout.ts forks it with --expose-gc):
 * either the real microcanvas server (createServer) or the raw baseline, a plain `ws` server
 * that sends every message it receives to every other client as it is. It reports its
 * address and, when asked over IPC, its memory after a full collection.
 *
 * MC_BENCH = JSON {@link ServerSpec}.
 */
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import { pino } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';

import type { EngineConfig } from '../engine/index.ts';
import { createServer } from '../server.ts';

/** What to start. */
export interface ServerSpec {
  readonly kind: 'microcanvas' | 'raw';
  readonly engine?: EngineConfig;
  readonly secret?: string;
  readonly origin?: string;
  /** Create this space with these members (one process of a deployment does). */
  readonly space?: { readonly id: string; readonly members: readonly string[] };
}

/** Messages the bench sends over IPC. */
export type ToServer = { readonly t: 'memory' } | { readonly t: 'stop' };
/** Messages this process sends back. */
export type FromServer =
  | { readonly t: 'ready'; readonly url: string }
  | { readonly t: 'memory'; readonly rss: number; readonly heap: number };

const spec = JSON.parse(process.env.MC_BENCH ?? '{}') as ServerSpec;
const send = (message: FromServer) => process.send!(message);

let url: string;
let stop: () => Promise<void>;
if (spec.kind === 'raw') {
  const http = createHttpServer();
  const wss = new WebSocketServer({ server: http, perMessageDeflate: false });
  const clients = new Set<WebSocket>();
  wss.on('connection', (ws) => {
    clients.add(ws);
    ws.on('close', () => clients.delete(ws));
    ws.on('error', () => {});
    ws.on('message', (data, isBinary) => {
      for (const other of clients) if (other !== ws) other.send(data, { binary: isBinary });
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  stop = async () => {
    for (const ws of clients) ws.terminate();
    await new Promise((resolve) => http.close(resolve));
  };
} else {
  const server = await createServer({
    port: 0,
    engine: spec.engine!,
    // warn: what goes wrong (cuts, failures) shows; per-connection info lines would not.
    logger: pino({ level: process.env.MC_BENCH_LOG ?? 'warn' }),
    hostOrigins: [spec.origin!],
    authSecret: spec.secret!,
  });
  if (spec.space) await server.spaces.ensure(spec.space.id, { members: spec.space.members });
  url = server.url;
  stop = () => server.close();
}

process.on('message', (message: ToServer) => {
  if (message.t === 'memory') {
    // Twice: the first pass can leave what finalizers freed for the next.
    globalThis.gc?.();
    globalThis.gc?.();
    const { rss, heapUsed } = process.memoryUsage();
    send({ t: 'memory', rss, heap: heapUsed });
  } else if (message.t === 'stop') {
    void stop().finally(() => process.exit(0));
  }
});
send({ t: 'ready', url });
