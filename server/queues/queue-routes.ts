import type { IncomingMessage, ServerResponse } from 'node:http';

import { McError } from '../../sdk/protocol/errors.ts';
import {
  AckRequestSchema,
  NackRequestSchema,
  PullRequestSchema,
} from '../../sdk/protocol/queues.ts';
import { sendJson } from '../http/respond.ts';
import type { Route, RouteContext } from '../http/route.ts';
import type { AppAuthenticator } from '../registry/types.ts';
import { noDeadLetter } from './dead-letters.ts';
import type { Queues } from './queues.ts';
import { readBody } from './read-body.ts';

/** The admin check of the registry (`AdminAccess.require`): throws unless the admin calls. */
export interface AdminCheck {
  require(req: IncomingMessage, res: ServerResponse): void;
}

/** What the queue routes need from the server. */
export interface QueueRouteDeps {
  readonly queues: Queues;
  readonly authenticate: AppAuthenticator;
  readonly admin: AdminCheck;
}

const APP_CREDENTIAL_RE = /^Bearer\s+mcapp_/i;

/**
 * The queues' HTTP API (docs/backends.md, "Queues"): backends pull, ack and nack their own
 * app's queues with the app's credential (another app's queue: 403, whether it exists or
 * not); the depth is for the app and the admin; dead letters are the admin's.
 */
export function queueRoutes({ queues, authenticate, admin }: QueueRouteDeps): Route[] {
  /** The caller must be `app`'s backend. */
  const ownApp = async (ctx: RouteContext): Promise<string> => {
    const caller = await authenticate(ctx.req.headers.authorization);
    const app = ctx.params['app']!;
    if (caller !== app) throw new McError('NOT_PERMITTED', 'an app may only use its own queues');
    return app;
  };
  const queueOf = async (ctx: RouteContext) => {
    const app = await ownApp(ctx);
    return queues.settings(app, ctx.params['queue']!);
  };

  return [
    {
      methods: ['POST'],
      path: '/queues/:app/:queue/pull',
      name: '/queues/pull',
      handle: async (ctx) => {
        const queue = await queueOf(ctx);
        const { max, waitMs } = await readBody(ctx.req, PullRequestSchema);
        // The client hanging up ends the wait (and gives back what was taken meanwhile).
        const gone = new AbortController();
        const onClose = () => {
          if (!ctx.res.writableFinished) gone.abort();
        };
        ctx.res.once('close', onClose);
        try {
          const deliveries = await queues.pull(queue, max, waitMs, gone.signal);
          return sendJson(ctx.res, 200, { deliveries });
        } finally {
          ctx.res.off('close', onClose);
        }
      },
    },
    {
      methods: ['POST'],
      path: '/queues/:app/:queue/ack',
      name: '/queues/ack',
      handle: async (ctx) => {
        const queue = await queueOf(ctx);
        const { tokens } = await readBody(ctx.req, AckRequestSchema);
        return sendJson(ctx.res, 200, { acked: await queues.ack(queue, tokens) });
      },
    },
    {
      methods: ['POST'],
      path: '/queues/:app/:queue/nack',
      name: '/queues/nack',
      handle: async (ctx) => {
        const queue = await queueOf(ctx);
        const { tokens, delayMs } = await readBody(ctx.req, NackRequestSchema);
        return sendJson(ctx.res, 200, { nacked: await queues.nack(queue, tokens, delayMs) });
      },
    },
    {
      methods: ['GET'],
      path: '/queues/:app/:queue',
      name: '/queues/info',
      handle: async (ctx) => {
        // The app's own backend, or the admin (the demo panel).
        if (APP_CREDENTIAL_RE.test(ctx.req.headers.authorization ?? '')) await ownApp(ctx);
        else admin.require(ctx.req, ctx.res);
        const queue = await queues.settings(ctx.params['app']!, ctx.params['queue']!);
        return sendJson(ctx.res, 200, await queues.info(queue));
      },
    },
    {
      methods: ['GET'],
      path: '/admin/queues/:app/:queue/dead-letters',
      name: '/admin/queues/dead-letters',
      handle: async (ctx) => {
        admin.require(ctx.req, ctx.res);
        const { app, name } = await queues.settings(ctx.params['app']!, ctx.params['queue']!);
        const limit = Number(ctx.url.searchParams.get('limit') ?? 100);
        if (!Number.isSafeInteger(limit) || limit < 1 || limit > 1_000) {
          throw new McError('INVALID_ARGUMENT', 'limit must be 1–1000');
        }
        const deadLetters = await queues.deadLetters.list(app, name, limit);
        return sendJson(ctx.res, 200, { deadLetters });
      },
    },
    {
      methods: ['POST'],
      path: '/admin/queues/:app/:queue/dead-letters/replay',
      name: '/admin/queues/dead-letters/replay',
      handle: async (ctx) => {
        admin.require(ctx.req, ctx.res);
        const { app, name } = await queues.settings(ctx.params['app']!, ctx.params['queue']!);
        return sendJson(ctx.res, 200, { replayed: await queues.deadLetters.replayAll(app, name) });
      },
    },
    {
      methods: ['POST'],
      path: '/admin/queues/:app/:queue/dead-letters/:id/replay',
      name: '/admin/queues/dead-letters/replay-one',
      handle: async (ctx) => {
        admin.require(ctx.req, ctx.res);
        const { app, name } = await queues.settings(ctx.params['app']!, ctx.params['queue']!);
        if (!(await queues.deadLetters.replay(app, name, ctx.params['id']!))) throw noDeadLetter();
        return sendJson(ctx.res, 200, { replayed: 1 });
      },
    },
  ];
}
