import type { IncomingMessage, ServerResponse } from 'node:http';

import { McError } from '../../sdk/protocol/errors.ts';
import { APP_ID_RE } from '../../sdk/protocol/topics.ts';
import { encodeBackendEvent } from '../delivery/event-codec.ts';
import { webhookStream } from '../delivery/types.ts';
import type { GroupInfo, LogStore } from '../engine/types.ts';
import { sendJson } from '../http/respond.ts';
import type { Route, RouteContext } from '../http/route.ts';
import { letterId, type DeadLetter, type EndpointState } from './endpoint-state.ts';
import type { WebhookDispatcher } from './dispatcher.ts';
import { WEBHOOK_GROUP } from './endpoint-worker.ts';

/** The admin credential's check (the registry's): throws unless the request carries it. */
export interface AdminCheck {
  require(req: IncomingMessage, res: ServerResponse): void;
}

const BASE = '/admin/webhooks/:app/:name';

/**
 * The webhook admin API (docs/backends.md, "Webhooks"): an endpoint's status, its dead
 * letters, their replay, and re-enabling an endpoint a 410 disabled.
 */
export function webhookAdminRoutes(
  dispatcher: WebhookDispatcher,
  log: LogStore,
  admin: AdminCheck,
): Route[] {
  const guarded =
    (handle: (ctx: RouteContext, app: string, name: string) => Promise<number>) =>
    async (ctx: RouteContext): Promise<number> => {
      admin.require(ctx.req, ctx.res);
      const { app = '', name = '' } = ctx.params;
      if (!APP_ID_RE.test(app) || !APP_ID_RE.test(name) || !(await dispatcher.known(app, name))) {
        throw new McError('NOT_FOUND', 'no such webhook');
      }
      return handle(ctx, app, name);
    };
  const store = dispatcher.store;

  /** Appends a dead letter's event to the stream again, then forgets the letter. */
  const replay = async (app: string, name: string, letter: DeadLetter): Promise<void> => {
    // A dedup id of its own: the event's was used when it was routed, maybe minutes ago.
    const id = `${letter.event.id}.replay.${Date.now().toString(36)}`;
    await log.append(webhookStream(app, name), encodeBackendEvent(letter.event), id);
    await store.deleteDeadLetter(app, name, letterId(letter.event.id));
    dispatcher.nudge(app, name);
  };

  return [
    {
      methods: ['GET'],
      path: BASE,
      name: '/admin/webhooks/:app/:name',
      handle: guarded(async ({ res }, app, name) => {
        const { state } = await store.load(app, name);
        const group = await log.groupInfo(webhookStream(app, name), WEBHOOK_GROUP);
        const deadLetters = await store.countDeadLetters(app, name);
        const heldBy = await dispatcher.holder(app, name);
        return sendJson(res, 200, {
          ...statusOf(app, name, state, group, deadLetters),
          ...(heldBy === undefined ? {} : { heldBy }),
        });
      }),
    },
    {
      methods: ['POST'],
      path: `${BASE}/enable`,
      name: '/admin/webhooks/:app/:name/enable',
      handle: guarded(async ({ res }, app, name) => {
        const now = Date.now();
        const state = await store.update(app, name, (s) => {
          const { disabledReason: _reason, ...rest } = s;
          // A full schedule again for the event that was held back.
          return {
            ...rest,
            enabled: true,
            ...(s.head === undefined ? {} : { head: { ...s.head, attempts: 0, nextAt: now } }),
          };
        });
        dispatcher.nudge(app, name);
        return sendJson(res, 200, { enabled: state.enabled });
      }),
    },
    {
      methods: ['GET'],
      path: `${BASE}/dead-letters`,
      name: '/admin/webhooks/:app/:name/dead-letters',
      handle: guarded(async ({ res }, app, name) => {
        const letters = await store.deadLetters(app, name);
        return sendJson(res, 200, {
          deadLetters: letters.map((letter) => ({ id: letterId(letter.event.id), ...letter })),
        });
      }),
    },
    {
      methods: ['POST'],
      path: `${BASE}/dead-letters/replay`,
      name: '/admin/webhooks/:app/:name/dead-letters/replay',
      handle: guarded(async ({ res }, app, name) => {
        const letters = await store.deadLetters(app, name);
        // Oldest first, so that replayed events keep their order among themselves.
        letters.sort((a, b) => a.event.time - b.event.time);
        for (const letter of letters) await replay(app, name, letter);
        return sendJson(res, 202, { replayed: letters.length });
      }),
    },
    {
      methods: ['POST'],
      path: `${BASE}/dead-letters/:id/replay`,
      name: '/admin/webhooks/:app/:name/dead-letters/:id/replay',
      handle: guarded(async ({ res, params }, app, name) => {
        const id = params.id ?? '';
        if (!/^[A-Za-z0-9_-]{1,64}$/.test(id))
          throw new McError('NOT_FOUND', 'no such dead letter');
        const letter = await store.deadLetter(`webhooks.dead.${app}.${name}.${id}`);
        if (letter === undefined) throw new McError('NOT_FOUND', 'no such dead letter');
        await replay(app, name, letter);
        return sendJson(res, 202, { replayed: 1 });
      }),
    },
  ];
}

/** What `GET /admin/webhooks/:app/:name` answers (the demo panel shows it). */
function statusOf(
  app: string,
  name: string,
  state: EndpointState,
  group: GroupInfo,
  deadLetters: number,
) {
  return {
    app,
    name,
    enabled: state.enabled,
    ...(state.disabledReason === undefined ? {} : { disabledReason: state.disabledReason }),
    // Entries not yet taken from the stream, and the one in delivery. The worker takes one
    // entry at a time and acks it only after storing it as its head, so for a moment the
    // head is both stored and unacked: counted once, not twice.
    pending: group.backlog + Math.max(group.pending, state.head === undefined ? 0 : 1),
    ...(state.head === undefined
      ? {}
      : {
          current: {
            id: state.head.event.id,
            topic: state.head.event.topic,
            attempts: state.head.attempts,
            nextAt: new Date(state.head.nextAt).toISOString(),
          },
        }),
    ...(state.last === undefined ? {} : { last: state.last }),
    delivered: state.delivered,
    dead: state.dead,
    deadLetters,
  };
}
