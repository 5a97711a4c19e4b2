import { randomBytes } from 'node:crypto';

import type { AppEntryInput } from '../sdk/protocol/registry.ts';
import { demoManifests } from './apps.ts';

/** Where the sample backends listen, and what the registry needs to know of them. */
export interface DemoBackends {
  readonly todo: string;
  readonly chat: string;
}

/** What the sample backends are started with. */
export interface Provisioned {
  readonly todoCredential: string;
  readonly chatCredential: string;
  readonly todoWebhookSecret: string;
}

/**
 * `npm start`'s registry: the three sample apps as registry entries (the demo page reads its
 * catalog from there), the todo backend behind the gateway with a webhook for
 * `calendar.date.selected`, the chat backend with a queue of `todo.item.completed`, and a
 * fresh credential for each backend (older ones revoked: an app holds at most eight).
 * Runs in Node (scripts/start.mjs), as an admin of the demo's own server.
 */
export async function provisionDemo(
  server: string,
  adminToken: string,
  widgetOrigin: string,
  backends: DemoBackends,
): Promise<Provisioned> {
  const admin = { authorization: `Bearer ${adminToken}` };
  const todoWebhookSecret = `whsec_${randomBytes(32).toString('base64')}`;
  const manifests = new Map(demoManifests(widgetOrigin).map((m) => [m.id, m]));
  const entries: AppEntryInput[] = [
    { manifest: manifests.get('calendar')!, version: '1.0.0' },
    {
      manifest: manifests.get('todo')!,
      version: '1.0.0',
      backend: {
        url: backends.todo,
        endpoints: [{ path: '/items', methods: ['GET', 'POST', 'PATCH', 'DELETE'] }],
        health: '/healthz',
        webhooks: [
          {
            name: 'calendar',
            url: '/webhooks/calendar',
            topics: ['calendar.date.selected'],
            secrets: [todoWebhookSecret],
          },
        ],
      },
    },
    {
      manifest: manifests.get('chat')!,
      version: '1.0.0',
      backend: {
        url: backends.chat,
        health: '/healthz',
        queues: [{ name: 'completed', topics: ['todo.item.completed'] }],
      },
    },
  ];
  for (const entry of entries) await put(server, admin, entry);
  return {
    todoWebhookSecret,
    todoCredential: await freshCredential(server, admin, 'todo'),
    chatCredential: await freshCredential(server, admin, 'chat'),
  };
}

/** Creates the entry, or replaces the one an earlier start left (If-Match its ETag). */
async function put(server: string, admin: Record<string, string>, entry: AppEntryInput) {
  const url = `${server}/registry/apps/${entry.manifest.id}`;
  const current = await fetch(url, { headers: admin });
  const precondition: Record<string, string> = current.ok
    ? { 'if-match': current.headers.get('etag') ?? '' }
    : { 'if-none-match': '*' };
  const response = await fetch(url, {
    method: 'PUT',
    headers: { ...admin, ...precondition, 'content-type': 'application/json' },
    body: JSON.stringify(entry),
  });
  if (!response.ok) {
    throw new Error(
      `registry PUT ${entry.manifest.id}: ${response.status} ${await response.text()}`,
    );
  }
}

async function freshCredential(server: string, admin: Record<string, string>, app: string) {
  const base = `${server}/registry/apps/${app}/credentials`;
  const listed = (await (await fetch(base, { headers: admin })).json()) as {
    credentials?: { id: string }[];
  };
  for (const { id } of listed.credentials ?? []) {
    await fetch(`${base}/${id}`, { method: 'DELETE', headers: admin });
  }
  const response = await fetch(base, { method: 'POST', headers: admin });
  const body = (await response.json()) as { secret?: string };
  if (!response.ok || typeof body.secret !== 'string') {
    throw new Error(`credential for ${app}: ${response.status}`);
  }
  return body.secret;
}
