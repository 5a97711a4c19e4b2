import { randomBytes } from 'node:crypto';

import type { AppEntryInput } from '../../../sdk/protocol/registry.ts';
import type { EngineName, EngineOptions } from '../../../server/engine/index.ts';
import type { McServer } from '../../../server/server.ts';
import type { Clock } from '../../../server/webhooks/clock.ts';
import type { WebhookOptions } from '../../../server/webhooks/dispatcher.ts';
import { EngineFixture, eventually } from './engines.ts';
import { kill, spawnTs, type Child } from './processes.ts';
import { startServer, TestClient } from './ws-client.ts';

/** Standard Webhooks secrets: `whsec_` and base64 of 32 random bytes. */
export const newSecret = (): string => `whsec_${randomBytes(32).toString('base64')}`;

/** Creates (or replaces) an app's registry entry through the registry's admin API. */
export async function putApp(serverUrl: string, entry: AppEntryInput): Promise<void> {
  const url = `${serverUrl}/registry/apps/${entry.manifest.id}`;
  const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
  const current = await fetch(url, { headers: auth });
  const etag = current.headers.get('etag');
  await current.body?.cancel();
  const res = await fetch(url, {
    method: 'PUT',
    headers: {
      ...auth,
      'content-type': 'application/json',
      ...(current.ok && etag !== null ? { 'if-match': etag } : { 'if-none-match': '*' }),
    },
    body: JSON.stringify(entry),
  });
  if (!res.ok) throw new Error(`PUT ${url}: ${res.status} ${await res.text()}`);
}

/** An admin token for the servers of the tests. */
export const ADMIN_TOKEN = 'admin-token-for-tests-0123456789';

/** One scripted answer of the receiver (see fixtures/webhook-receiver.ts). */
export interface Answer {
  readonly status: number;
  readonly retryAfter?: string;
  readonly hang?: boolean;
  readonly delayMs?: number;
  readonly location?: string;
  readonly bodyBytes?: number;
}

export interface ReceiverStats {
  readonly deliveries: Array<{ id: string; type: string; body: WebhookPayload; at: number }>;
  readonly unique: string[];
  readonly duplicates: number;
  readonly refused: string[];
  /** Requests that followed a redirect to `/_trap`. */
  readonly trapped: number;
}

/** The body of a delivery, as docs/backends.md describes it. */
export interface WebhookPayload {
  readonly type: string;
  readonly timestamp: string;
  readonly data: {
    readonly space: string;
    readonly app: string;
    readonly by: { user?: string; device?: string; backend?: true };
    readonly payload: unknown;
  };
}

/** A receiver process (`standardwebhooks` verifying every delivery). */
export class Receiver {
  readonly url: string;
  readonly process: Child;

  private constructor(url: string, process: Child) {
    this.url = url;
    this.process = process;
  }

  static async start(secrets: readonly string[], port?: number): Promise<Receiver> {
    const child = spawnTs('test/server/fixtures/webhook-receiver.ts', [
      JSON.stringify({ secrets, ...(port === undefined ? {} : { port }) }),
    ]);
    const line = await child.line((l) => l.startsWith('listening '));
    return new Receiver(line.slice('listening '.length), child);
  }

  async script(answers: readonly Answer[], otherwise: Answer = { status: 200 }): Promise<void> {
    const res = await fetch(`${this.url}/_script`, {
      method: 'POST',
      body: JSON.stringify({ answers, otherwise }),
    });
    if (!res.ok) throw new Error(`script: ${res.status}`);
  }

  async stats(): Promise<ReceiverStats> {
    return (await (await fetch(`${this.url}/_stats`)).json()) as ReceiverStats;
  }

  async stop(): Promise<void> {
    await kill(this.process.child);
  }
}

/**
 * The todo app's entry: subscribes to `calendar.date.selected`, with a webhook `main` to
 * `url` and a queue, as the demo's todo backend has.
 */
export function todoEntry(
  url: string,
  secrets: readonly string[],
  more: Partial<{
    topics: string[];
    hooks: Array<{ name: string; url: string; secrets: string[] }>;
  }> = {},
): AppEntryInput {
  return {
    manifest: {
      id: 'todo',
      name: 'Todo',
      url: 'https://todo.example/widget.html',
      subscribes: ['calendar.date.selected', 'calendar.*.changed'],
    },
    version: '1.0.0',
    backend: {
      url: 'https://todo.example',
      webhooks: [
        {
          name: 'main',
          url,
          topics: more.topics ?? ['calendar.date.selected'],
          secrets: [...secrets],
        },
        ...(more.hooks ?? []).map((hook) => ({ ...hook, topics: ['calendar.date.selected'] })),
      ],
      queues: [{ name: 'dates', topics: ['calendar.*.changed', 'calendar.date.selected'] }],
    },
  };
}

/**
 * A clock the test moves: `sleep` resolves when `advance` passes its deadline. The
 * dispatcher's retry schedule runs on it; its polling and HTTP timeouts stay real.
 */
export class FakeClock implements Clock {
  #now: number;
  readonly #sleepers = new Set<{ at: number; wake: () => void }>();

  constructor(start = Date.now()) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const sleeper = {
        at: this.#now + ms,
        wake: () => {
          this.#sleepers.delete(sleeper);
          signal?.removeEventListener('abort', sleeper.wake);
          resolve();
        },
      };
      this.#sleepers.add(sleeper);
      signal?.addEventListener('abort', sleeper.wake, { once: true });
    });
  }

  /** Moves time on, waking every sleeper whose deadline passed. */
  advance(ms: number): void {
    this.#now += ms;
    for (const sleeper of [...this.#sleepers]) if (sleeper.at <= this.#now) sleeper.wake();
  }
}

/** What the webhook admin API answers, loosely: each test reads the fields it checks. */
export interface AdminAnswer {
  readonly enabled?: boolean;
  readonly disabledReason?: string;
  readonly pending?: number;
  readonly delivered?: number;
  readonly dead?: number;
  readonly deadLetters?:
    number | Array<{ id: string; attempts: number; last: { status?: number; result: string } }>;
  readonly current?: { attempts: number; nextAt: string };
  readonly last?: { result: string; status?: number; attempt: number; at: number; error?: string };
  readonly replayed?: number;
  readonly error?: { code: string };
}

/** The schedule of the fault tests: four attempts, the spec's first waits. */
export const TEST_SCHEDULE = [0, 5_000, 300_000, 1_800_000];

let msgs = 0;

/**
 * A server on one engine with the todo app registered, a host-like WebSocket client of the
 * space `team`, and the dispatcher on a fake clock (jitter fixed at 0: waits are exact).
 */
export class WebhookRig {
  readonly fixture: EngineFixture;
  readonly server: McServer;
  readonly client: TestClient;
  readonly clock: FakeClock;

  private constructor(
    fixture: EngineFixture,
    server: McServer,
    client: TestClient,
    clock: FakeClock,
  ) {
    this.fixture = fixture;
    this.server = server;
    this.client = client;
    this.clock = clock;
  }

  static async start(
    kind: EngineName,
    entry: AppEntryInput,
    webhooks: Partial<WebhookOptions> = {},
    engineOptions: EngineOptions = {},
  ): Promise<WebhookRig> {
    const fixture = new EngineFixture(kind);
    const clock = new FakeClock();
    const server = await startServer({
      engine: await fixture.open(engineOptions),
      adminToken: ADMIN_TOKEN,
      webhooks: {
        clock,
        schedule: TEST_SCHEDULE,
        allow: ['127.0.0.1'],
        // Generous: an answer that comes late under CI load is a failed attempt whose retry
        // waits on the fake clock, which a test that expects delivery never moves. The test
        // of a hanging backend sets its own short timeout.
        timeoutMs: 5_000,
        pollMs: 25,
        scanMs: 100,
        leaseMs: 3_000,
        random: () => 0.5,
        ...webhooks,
      },
    });
    await putApp(server.url, entry);
    await server.spaces.ensure('team', { members: ['ann'] });
    const client = await TestClient.open(server, { user: 'ann' });
    return new WebhookRig(fixture, server, client, clock);
  }

  /** Publishes `{n}` on `topic` (the publishing app is the topic's first segment); resolves on its ack. */
  async publish(n: number, topic = 'calendar.date.selected'): Promise<void> {
    const reply = await this.client.request({
      t: 'publish',
      space: 'team',
      msgId: `m-${process.pid}-${String(++msgs).padStart(4, '0')}`,
      app: topic.split('.')[0],
      topic,
      data: JSON.stringify({ n }),
    });
    if (reply.t !== 'published') throw new Error(`publish refused: ${JSON.stringify(reply)}`);
  }

  /** Calls the webhook admin API of `app`'s webhook `name` (`path` after it). */
  async admin(
    path = '',
    method = 'GET',
    hook = 'todo/main',
  ): Promise<{ status: number; body: AdminAnswer }> {
    const res = await fetch(`${this.server.url}/admin/webhooks/${hook}${path}`, {
      method,
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    return { status: res.status, body: (await res.json()) as AdminAnswer };
  }

  /** The endpoint's status once `probe` holds. */
  statusWhen(
    what: string,
    probe: (status: AdminAnswer) => boolean,
    hook?: string,
  ): Promise<AdminAnswer> {
    return lastSeen(what, () => this.admin('', 'GET', hook).then(({ body }) => body), probe);
  }

  async close(): Promise<void> {
    this.client.ws.close();
    await this.server.close();
    await this.fixture.cleanup();
  }
}

/** The receiver's stats once `probe` holds. */
export function receivedWhen(
  receiver: Receiver,
  what: string,
  probe: (stats: ReceiverStats) => boolean,
): Promise<ReceiverStats> {
  return lastSeen(what, () => receiver.stats(), probe);
}

/** `read()` once `probe` holds; a timeout says what was read last, to tell why it never held. */
async function lastSeen<T>(what: string, read: () => Promise<T>, probe: (value: T) => boolean) {
  let last: T | undefined;
  try {
    return await eventually(what, async () => {
      last = await read();
      return probe(last) ? last : undefined;
    });
  } catch (error) {
    throw new Error(`${(error as Error).message}; last seen: ${JSON.stringify(last)}`, {
      cause: error,
    });
  }
}

/** The `n` of each delivery's payload, in arrival order. */
export const numbers = (deliveries: ReceiverStats['deliveries']): number[] =>
  deliveries.map((d) => (d.body.data.payload as { n: number }).n);
