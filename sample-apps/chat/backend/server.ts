/**
 * The chat app's backend (docs/backends.md, "Sample backends"): pulls `todo.item.completed`
 * from its durable queue (at least once; acked after handling) and answers each with a
 * `chat.message.sent` from "Todo bot", published into the same space with the app's
 * credential, so that every chat widget of that space, on every device, shows it.
 *
 *   MC_SERVER_URL    the microcanvas server
 *   CHAT_PORT        port of GET /healthz and GET /stats (127.0.0.1)
 *   CHAT_CREDENTIAL  the app credential (queue, publishing, heartbeats)
 *   MC_HOST_ORIGIN   the demo page's origin, allowed to read GET /stats
 */
import { createServer } from 'node:http';

import { consume, type QueueDelivery } from 'microcanvas/backend';

import { allowHostOrigin, heartbeat, send } from '../../shared/backend-http.ts';

const SERVER = process.env.MC_SERVER_URL ?? 'http://127.0.0.1:8787';
const CREDENTIAL = process.env.CHAT_CREDENTIAL ?? '';
const hostOrigin = process.env.MC_HOST_ORIGIN ?? '';
const QUEUE = 'completed';
const auth = { authorization: `Bearer ${CREDENTIAL}` };

const stats = { consumed: 0, published: 0, failed: 0, backlog: 0, pending: 0, deadLetters: 0 };

/** One completed todo: a chat line in its space. Idempotent by the event id (a redelivery). */
async function onCompleted(delivery: QueueDelivery): Promise<void> {
  const { event } = delivery;
  const title = (JSON.parse(event.data) as { title?: unknown }).title;
  const text = `${typeof title === 'string' ? title.slice(0, 120) : 'A todo'} is done. Nice work!`;
  const response = await fetch(`${SERVER}/apps/chat/events`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({
      space: event.space,
      topic: 'chat.message.sent',
      data: { text, author: 'Todo bot' },
      // The server dedups by id: a redelivered event is announced once.
      id: `done-${event.id}`.slice(0, 64),
    }),
  });
  if (!response.ok) throw new Error(`publish answered ${response.status}`);
  stats.consumed++;
  stats.published++;
}

const consumer = consume({
  url: SERVER,
  app: 'chat',
  queue: QUEUE,
  credential: CREDENTIAL,
  concurrency: 2,
  handler: onCompleted,
  onError: (error) => {
    stats.failed++;
    console.error(JSON.stringify({ msg: 'chat backend', error: error.message }));
  },
});

/** The queue's depth for the demo panel, read with the app's own credential. */
async function queueInfo(): Promise<void> {
  try {
    const response = await fetch(`${SERVER}/queues/chat/${QUEUE}`, { headers: auth });
    if (response.ok) Object.assign(stats, await response.json());
  } catch {
    // The server is away: the panel shows the last figures.
  }
}

const http = createServer((req, res) => {
  const path = new URL(req.url ?? '/', 'http://chat').pathname;
  if (path === '/healthz') return send(res, 200, { ok: true });
  if (path === '/stats') {
    allowHostOrigin(req, res, hostOrigin);
    void queueInfo().then(() => send(res, 200, { ...stats, ...consumer.stats }));
    return;
  }
  send(res, 404, { error: 'not found' });
});
const port = Number(process.env.CHAT_PORT ?? 0);
http.listen(port, '127.0.0.1', () => {
  const address = http.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  console.log(JSON.stringify({ msg: 'chat backend listening', url: `http://127.0.0.1:${bound}` }));
});
heartbeat(SERVER, 'chat', CREDENTIAL);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    void consumer.stop().finally(() => http.close(() => process.exit(0)));
  });
}
