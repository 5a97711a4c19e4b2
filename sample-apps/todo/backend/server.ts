/**
 * The todo app's backend (docs/backends.md, "Sample backends"): owns each user's items, so
 * ticks survive reloads and reach the user's other devices; reached only through the
 * microcanvas gateway, whose signed assertion says who the user is; hears
 * `calendar.date.selected` by webhook (Standard Webhooks, verified with the `standardwebhooks`
 * package) and remembers each user's selected day.
 *
 *   MC_SERVER_URL        the microcanvas server (its JWKS and registry)
 *   TODO_PORT            port to listen on (127.0.0.1)
 *   TODO_CREDENTIAL      the app credential (heartbeats)
 *   TODO_WEBHOOK_SECRET  the webhook's whsec_ secret
 *   TODO_DATA            the JSON file of items (default .microcanvas/todo-backend.json)
 *   MC_HOST_ORIGIN       the demo page's origin, allowed to read GET /stats
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

import { createAssertionVerifier, McError, type AssertionClaims } from 'microcanvas/backend';
import { Webhook } from 'standardwebhooks';

import { allowHostOrigin, heartbeat, readText, send } from '../../shared/backend-http.ts';
import { seedTodos } from '../seed.ts';
import { TodoStore, type Item } from './store.ts';

const env = (name: string, fallback?: string): string => {
  const value = process.env[name] ?? fallback;
  if (value === undefined) throw new Error(`${name} is not set`);
  return value;
};
const SERVER = env('MC_SERVER_URL');
const store = new TodoStore(env('TODO_DATA', '.microcanvas/todo-backend.json'));
const webhook = new Webhook(env('TODO_WEBHOOK_SECRET'));
const hostOrigin = env('MC_HOST_ORIGIN', '');
const assertions = createAssertionVerifier({
  jwksUrl: `${SERVER}/.well-known/jwks.json`,
  audience: 'todo',
});
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** What the demo panel shows. */
const stats = { webhooks: 0, refused: 0, lastTopic: '', lastAt: 0, requests: 0 };
/**
 * Webhook ids seen: a redelivery (at least once) is acknowledged, not applied twice. The
 * newest 10,000 are kept (a redelivery comes within hours, not thousands of events later).
 */
const seen = new Set<string>();
const SEEN_MAX = 10_000;

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://todo').pathname;
  if (path === '/healthz') return send(res, 200, { ok: true });
  if (path === '/stats') {
    allowHostOrigin(req, res, hostOrigin);
    return send(res, 200, stats);
  }
  if (path === '/webhooks/calendar' && req.method === 'POST') return onWebhook(req, res);
  if (path === '/items' || path.startsWith('/items/')) {
    let who: AssertionClaims;
    try {
      who = await assertions.verify(req);
    } catch (error) {
      return send(res, 401, { error: (error as McError).message });
    }
    stats.requests++;
    return items(req, res, who.sub, path.slice('/items/'.length));
  }
  send(res, 404, { error: 'not found' });
}

async function items(req: IncomingMessage, res: ServerResponse, user: string, id: string) {
  if (req.method === 'GET' && id === '') {
    // A new user starts with the demo's items, seeded here: two devices loading at once
    // must not seed twice.
    const items = store.itemsOrSeed(user, () =>
      seedTodos().map((t) => ({ ...t, id: randomUUID() })),
    );
    return send(res, 200, { items, selected: store.selected(user) ?? null });
  }
  const body = parse(await readText(req));
  if (req.method === 'POST' && id === '') {
    const title = typeof body?.title === 'string' ? body.title.trim().slice(0, 120) : '';
    const date = typeof body?.date === 'string' && DATE.test(body.date) ? body.date : '';
    if (title === '' || date === '') return send(res, 400, { error: 'title and date' });
    const item: Item = { id: randomUUID(), title, date, done: false };
    return send(res, 201, store.add(user, item));
  }
  if (req.method === 'PATCH' && id !== '') {
    const patch = typeof body?.done === 'boolean' ? { done: body.done } : {};
    const item = store.update(user, decodeURIComponent(id), patch);
    return item ? send(res, 200, item) : send(res, 404, { error: 'no such item' });
  }
  if (req.method === 'DELETE' && id === 'done') {
    const done = new Set(
      store
        .items(user)
        .filter((i) => i.done)
        .map((i) => i.id),
    );
    return send(res, 200, { removed: store.remove(user, done) });
  }
  send(res, 405, { error: 'method not allowed' });
}

/** A Standard Webhooks delivery: verified first, applied once per webhook-id. */
async function onWebhook(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = (await readText(req)) ?? '';
  let event: { type?: unknown; data?: { by?: { user?: unknown }; payload?: unknown } };
  try {
    event = webhook.verify(body, req.headers as Record<string, string>) as typeof event;
  } catch {
    stats.refused++;
    return send(res, 401, { error: 'bad signature' });
  }
  const id = String(req.headers['webhook-id']);
  if (!seen.has(id)) {
    seen.add(id);
    if (seen.size > SEEN_MAX) seen.delete(seen.values().next().value!);
    stats.webhooks++;
    stats.lastTopic = String(event.type);
    stats.lastAt = Date.now();
    const user = event.data?.by?.user;
    const date = (event.data?.payload as { date?: unknown } | undefined)?.date;
    if (typeof user === 'string' && typeof date === 'string' && DATE.test(date)) {
      store.select(user, date);
    }
  }
  send(res, 204, null);
}

function parse(text: string | undefined): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text ?? '');
    return typeof value === 'object' && value !== null
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

const http = createServer((req, res) => {
  handle(req, res).catch((error: unknown) => {
    console.error('todo backend:', error);
    if (!res.headersSent) send(res, 500, { error: 'internal error' });
  });
});
const port = Number(env('TODO_PORT', '0'));
http.listen(port, '127.0.0.1', () => {
  const address = http.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  console.log(JSON.stringify({ msg: 'todo backend listening', url: `http://127.0.0.1:${bound}` }));
});
const credential = process.env.TODO_CREDENTIAL;
if (credential) heartbeat(SERVER, 'todo', credential);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => http.close(() => process.exit(0)));
}
