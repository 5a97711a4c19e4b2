import { pino } from 'pino';

import type { AppEntryInput } from '../../../sdk/protocol/registry.ts';
import type { Engine } from '../../../server/engine/index.ts';
import { createServer, type McServer, type ServerOptions } from '../../../server/server.ts';
import { ORIGIN } from './ws-client.ts';

/** The admin token of the registry tests' servers. */
export const ADMIN = 'admin-token-of-the-registry-tests-0123456789';
export const HOST_ORIGIN = ORIGIN;

/** A server on `engine` with the registry's admin token, short probe intervals, host origin. */
export function startRegistryServer(
  engine: Engine,
  options: ServerOptions = {},
): Promise<McServer> {
  return createServer({
    port: 0,
    engine,
    logger: pino({ level: process.env.MC_TEST_LOG ?? 'silent' }),
    hostOrigins: [HOST_ORIGIN],
    adminToken: ADMIN,
    probeIntervalMs: 200,
    ...options,
  });
}

/** A valid entry for app `id`, with a backend holding a webhook secret. */
export function entryOf(id: string, patch: Partial<AppEntryInput> = {}): AppEntryInput {
  return {
    manifest: {
      id,
      name: `App ${id}`,
      url: `https://${id}.apps.example/widget.html`,
      publishes: [`${id}.item.*`],
      subscribes: ['calendar.date.*'],
    },
    version: '1.0.0',
    backend: {
      url: `http://127.0.0.1:9/${id}-backend-secret-path`,
      webhooks: [
        {
          name: 'dates',
          url: '/hooks/dates',
          topics: ['calendar.date.selected'],
          secrets: [`whsec_${Buffer.alloc(24, 7).toString('base64')}`],
        },
      ],
    },
    ...patch,
  };
}

/** A small HTTP client of one server's registry. */
export class RegistryApi {
  readonly base: string;

  constructor(server: McServer | string) {
    this.base = typeof server === 'string' ? server : server.url;
  }

  request(
    method: string,
    path: string,
    options: { body?: unknown; headers?: Record<string, string>; admin?: boolean } = {},
  ): Promise<Response> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.admin !== false) headers.authorization ??= `Bearer ${ADMIN}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    return fetch(`${this.base}${path}`, {
      method,
      headers,
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    });
  }

  /** Creates `entry` (If-None-Match: *); resolves to its ETag or throws. */
  async create(entry: AppEntryInput): Promise<string> {
    const res = await this.request('PUT', `/registry/apps/${entry.manifest.id}`, {
      body: entry,
      headers: { 'if-none-match': '*' },
    });
    if (res.status !== 201) throw new Error(`create: ${res.status} ${await res.text()}`);
    return res.headers.get('etag')!;
  }

  update(entry: AppEntryInput, etag: string): Promise<Response> {
    return this.request('PUT', `/registry/apps/${entry.manifest.id}`, {
      body: entry,
      headers: { 'if-match': etag },
    });
  }

  /** The public catalog. */
  async list(
    headers: Record<string, string> = {},
  ): Promise<{ apps: Array<Record<string, unknown>> }> {
    const res = await this.request('GET', '/registry/apps', { admin: false, headers });
    if (res.status !== 200) throw new Error(`list: ${res.status}`);
    return (await res.json()) as { apps: Array<Record<string, unknown>> };
  }

  /** One app's public view (undefined: 404). */
  async publicApp(id: string): Promise<Record<string, unknown> | undefined> {
    const res = await this.request('GET', `/registry/apps/${id}`, { admin: false });
    if (res.status === 404) return undefined;
    if (res.status !== 200) throw new Error(`get: ${res.status}`);
    return (await res.json()) as Record<string, unknown>;
  }

  /** Issues a credential of app `id`. */
  async issue(id: string): Promise<{ id: string; secret: string }> {
    const res = await this.request('POST', `/registry/apps/${id}/credentials`);
    if (res.status !== 201) throw new Error(`issue: ${res.status} ${await res.text()}`);
    return (await res.json()) as { id: string; secret: string };
  }

  heartbeat(id: string, secret: string): Promise<Response> {
    return this.request('POST', `/registry/apps/${id}/heartbeat`, {
      headers: { authorization: `Bearer ${secret}` },
    });
  }
}

/** One `change` event of GET /registry/events. */
export interface ChangeEvent {
  readonly id: string;
  readonly etag: string | null;
  readonly health: string;
}

/** A reader of GET /registry/events: every `change` event as it comes. */
export class EventStream {
  readonly events: ChangeEvent[] = [];
  readonly response: Response;
  readonly #abort: AbortController;
  readonly #waiters = new Set<() => void>();

  private constructor(response: Response, abort: AbortController) {
    this.response = response;
    this.#abort = abort;
    void this.#read();
  }

  static async open(base: string, headers: Record<string, string> = {}): Promise<EventStream> {
    const abort = new AbortController();
    const response = await fetch(`${base}/registry/events`, { headers, signal: abort.signal });
    if (response.status !== 200) throw new Error(`events: ${response.status}`);
    return new EventStream(response, abort);
  }

  /** The first event (already received or to come) matching `test`. */
  next(test: (event: ChangeEvent) => boolean, ms = 10_000): Promise<ChangeEvent> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.events.find(test);
        if (found === undefined) return;
        this.#waiters.delete(check);
        clearTimeout(timer);
        resolve(found);
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(new Error(`no such event within ${ms} ms; got ${JSON.stringify(this.events)}`));
      }, ms);
      this.#waiters.add(check);
      check();
    });
  }

  close(): void {
    this.#abort.abort();
  }

  async #read(): Promise<void> {
    const decoder = new TextDecoder();
    let rest = '';
    try {
      for await (const chunk of this.response.body as AsyncIterable<Uint8Array>) {
        rest += decoder.decode(chunk, { stream: true });
        const frames = rest.split('\n\n');
        rest = frames.pop()!;
        for (const frame of frames) {
          const lines = frame.split('\n');
          if (!lines.includes('event: change')) continue;
          const data = lines.find((line) => line.startsWith('data: '));
          if (data !== undefined) this.events.push(JSON.parse(data.slice(6)) as ChangeEvent);
        }
        for (const wake of [...this.#waiters]) wake();
      }
    } catch {
      // Aborted by close().
    }
  }
}
