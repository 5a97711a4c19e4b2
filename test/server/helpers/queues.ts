import { randomUUID } from 'node:crypto';

import type { AppEntryInput } from '../../../sdk/protocol/registry.ts';
import type { QueueDelivery } from '../../../sdk/protocol/queues.ts';
import { queueChannel, queueStream, type BackendEvent } from '../../../server/delivery/types.ts';
import type { Engine } from '../../../server/engine/index.ts';
import type { McServer, ServerOptions } from '../../../server/server.ts';
import { ADMIN, RegistryApi, startRegistryServer } from './registry.ts';

/** An app with a backend and one queue `todos` of `todo.item.*`. */
export function queueEntry(
  id: string,
  queue: { ackWaitMs?: number; maxDeliveries?: number } = {},
  manifest: Partial<AppEntryInput['manifest']> = {},
): AppEntryInput {
  return {
    manifest: {
      id,
      name: `App ${id}`,
      url: `https://${id}.apps.example/widget.html`,
      publishes: [`${id}.message.*`],
      subscribes: ['todo.item.*'],
      ...manifest,
    },
    version: '1.0.0',
    backend: {
      url: 'http://127.0.0.1:9/backend',
      queues: [{ name: 'todos', topics: ['todo.item.completed'], ...queue }],
    },
  };
}

/** A server with the registry's admin token and the queues' options, and two apps' creds. */
export async function startQueueServer(
  engine: Engine,
  options: ServerOptions = {},
): Promise<McServer> {
  return startRegistryServer(engine, { queues: { ackWaitMs: 1_500, pollMs: 25 }, ...options });
}

/** Registers `entry` and returns a fresh credential of it. */
export async function registerApp(server: McServer, entry: AppEntryInput): Promise<string> {
  const api = new RegistryApi(server);
  await api.create(entry);
  return (await api.issue(entry.manifest.id)).secret;
}

let sequence = 0;
/** A canvas event of `todo.item.completed` as the event router would queue it. */
export function todoEvent(n: number = ++sequence): BackendEvent {
  return {
    id: `ev-${randomUUID()}`,
    space: 'team',
    app: 'todo',
    topic: 'todo.item.completed',
    data: JSON.stringify({ n }),
    by: { user: 'ann', device: 'dev-ann-1' },
    time: Date.now(),
  };
}

/**
 * Appends `event` to `app`'s queue `queue` as the router does (dedup id = the event's id),
 * and announces it (waking waiting pulls).
 */
export async function enqueue(
  engine: Engine,
  app: string,
  event: BackendEvent,
  queue = 'todos',
): Promise<boolean> {
  const result = await engine.log.append(queueStream(app, queue), JSON.stringify(event), event.id);
  await engine.pubsub.publish(queueChannel(app, queue), '');
  return !result.duplicate;
}

/** A small HTTP client of one app's queue, with the app's (or any) credential. */
export class QueueApi {
  readonly #server: McServer;
  readonly #app: string;
  readonly #queue: string;
  credential: string;

  constructor(server: McServer, app: string, credential: string, queue = 'todos') {
    this.#server = server;
    this.#app = app;
    this.#queue = queue;
    this.credential = credential;
  }

  get path(): string {
    return `${this.#server.url}/queues/${this.#app}/${this.#queue}`;
  }

  async post(what: string, body: unknown, credential = this.credential): Promise<Response> {
    return fetch(`${this.path}/${what}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${credential}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  }

  /** Pulls; throws unless 200. */
  async pull(max = 10, waitMs = 0): Promise<QueueDelivery[]> {
    const res = await this.post('pull', { max, waitMs });
    if (res.status !== 200) throw new Error(`pull: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { deliveries: QueueDelivery[] }).deliveries;
  }

  async ack(deliveries: readonly QueueDelivery[]): Promise<number> {
    const res = await this.post('ack', { tokens: deliveries.map((d) => d.token) });
    if (res.status !== 200) throw new Error(`ack: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { acked: number }).acked;
  }

  async nack(deliveries: readonly QueueDelivery[], delayMs = 0): Promise<number> {
    const res = await this.post('nack', { tokens: deliveries.map((d) => d.token), delayMs });
    if (res.status !== 200) throw new Error(`nack: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { nacked: number }).nacked;
  }

  /** `GET /queues/:app/:queue` with the app's credential (or the admin's). */
  async info(admin = false): Promise<Record<string, number | string>> {
    const res = await fetch(this.path, {
      headers: { authorization: `Bearer ${admin ? ADMIN : this.credential}` },
    });
    if (res.status !== 200) throw new Error(`info: ${res.status} ${await res.text()}`);
    return (await res.json()) as Record<string, number | string>;
  }

  /** An admin request under `/admin/queues/:app/:queue`. */
  admin(method: string, path: string): Promise<Response> {
    const url = `${this.#server.url}/admin/queues/${this.#app}/${this.#queue}${path}`;
    return fetch(url, { method, headers: { authorization: `Bearer ${ADMIN}` } });
  }
}
