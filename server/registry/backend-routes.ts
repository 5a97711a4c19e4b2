import { McError } from '../../sdk/protocol/errors.ts';
import { sendJson } from '../http/respond.ts';
import { TokenBucket } from '../transport/token-bucket.ts';
import type { Route } from '../http/route.ts';
import { unknownApp } from './registry.ts';
import type { RegistryContext } from './registry-context.ts';

/**
 * What app backends and admins do about backends: credentials
 * (`POST /registry/apps/:id/credentials`, `GET` lists their ids, `DELETE …/:cid` revokes)
 * and heartbeats (`POST /registry/apps/:id/heartbeat`, with that app's credential).
 */
/**
 * Heartbeats an app may send: a beat every 10 s is plenty (the TTL is 30 s by default); each
 * one is an engine write, so a backend in a loop is answered 429 rather than served.
 */
export const HEARTBEAT_RATE_PER_SEC = 2;
export const HEARTBEAT_BURST = 10;

export function backendRoutes(ctx: RegistryContext): Route[] {
  const { registry, credentials, admin, prober } = ctx;
  // One bucket per authenticated app: bounded by the registry's size.
  const beats = new Map<string, TokenBucket>();
  return [
    {
      methods: ['GET', 'POST'],
      path: '/registry/apps/:id/credentials',
      name: '/registry/apps/:id/credentials',
      handle: async ({ req, res, params }) => {
        admin.require(req, res);
        const id = params.id!;
        if ((await registry.read(id)) === undefined) throw unknownApp(id);
        if (req.method === 'GET') {
          return sendJson(res, 200, { credentials: await credentials.list(id) });
        }
        const issued = await credentials.issue(id);
        await registry.announce({ id, kind: 'credentials', etag: null });
        // The secret is shown this once: never cached by anything on the way.
        return sendJson(res, 201, issued, { 'cache-control': 'no-store' });
      },
    },
    {
      methods: ['DELETE'],
      path: '/registry/apps/:id/credentials/:cid',
      name: '/registry/apps/:id/credentials/:cid',
      handle: async ({ req, res, params }) => {
        admin.require(req, res);
        const id = params.id!;
        if (!(await credentials.revoke(id, params.cid!))) {
          throw new McError('NOT_FOUND', 'no such credential for this app');
        }
        await registry.announce({ id, kind: 'credentials', etag: null });
        res.writeHead(204).end();
        return 204;
      },
    },
    {
      methods: ['POST'],
      path: '/registry/apps/:id/heartbeat',
      name: '/registry/apps/:id/heartbeat',
      handle: async ({ req, res, params }) => {
        const app = await credentials.authenticate(req.headers.authorization);
        if (app !== params.id) {
          throw new McError('NOT_PERMITTED', 'an app credential beats only for its own app');
        }
        if ((await registry.get(app)) === undefined) throw unknownApp(app);
        let bucket = beats.get(app);
        if (bucket === undefined) {
          bucket = new TokenBucket(HEARTBEAT_RATE_PER_SEC, HEARTBEAT_BURST);
          beats.set(app, bucket);
        }
        if (!bucket.take()) {
          res.setHeader('retry-after', '1');
          throw new McError('RATE_LIMITED', 'heartbeats come too often (at most 2 a second)');
        }
        await registry.heartbeat(app);
        void prober.check(app).catch(() => {});
        return sendJson(res, 200, { id: app, health: 'healthy', ttlMs: ctx.heartbeatTtlMs });
      },
    },
  ];
}
