import type { ServerResponse } from 'node:http';

import { McError } from '../../sdk/protocol/errors.ts';
import { AppEntrySchema, type AppHealth, type PublicApp } from '../../sdk/protocol/registry.ts';
import { APP_ID_RE } from '../../sdk/protocol/topics.ts';
import { readJson } from '../http/body.ts';
import { sendError, sendJson } from '../http/respond.ts';
import type { Route, RouteContext } from '../http/route.ts';
import { allowHostOrigin, answerPreflight } from './access.ts';
import { versionOfEtag } from './etag.ts';
import { unknownApp, type WriteResult } from './registry.ts';
import type { RegistryContext } from './registry-context.ts';
import type { StoredApp } from './types.ts';

/** An entry's largest JSON body. */
const MAX_ENTRY_BYTES = 64 * 1024;

/** What anyone may read of an entry: never the backend (address, webhook secrets). */
export function publicView(app: StoredApp, health: AppHealth): PublicApp {
  const { manifest, version, integrity } = app.entry;
  return {
    manifest,
    version,
    ...(integrity === undefined ? {} : { integrity }),
    health,
    etag: app.etag,
  };
}

/** `GET /registry/apps`, `GET|PUT|DELETE /registry/apps/:id`, `GET /registry/events`. */
export function appRoutes(ctx: RegistryContext): Route[] {
  const { registry, origins } = ctx;
  return [
    {
      methods: ['GET', 'OPTIONS'],
      path: '/registry/apps',
      name: '/registry/apps',
      handle: async ({ req, res }) => {
        if (req.method === 'OPTIONS') return answerPreflight(req, res, origins);
        allowHostOrigin(req, res, origins);
        const apps = await registry.list();
        const healths = await Promise.all(
          apps.map((app) => registry.health(app.entry.manifest.id)),
        );
        const body = apps.map((app, i) => publicView(app, healths[i]!));
        return sendJson(res, 200, { apps: body }, { 'cache-control': 'no-cache' });
      },
    },
    {
      methods: ['GET', 'PUT', 'DELETE', 'OPTIONS'],
      path: '/registry/apps/:id',
      name: '/registry/apps/:id',
      handle: async (route) => {
        const { req, res } = route;
        switch (req.method) {
          case 'OPTIONS':
            return answerPreflight(req, res, origins);
          case 'PUT':
            return put(ctx, route);
          case 'DELETE':
            return remove(ctx, route);
          default:
            return get(ctx, route);
        }
      },
    },
    {
      methods: ['GET', 'OPTIONS'],
      path: '/registry/events',
      name: '/registry/events',
      handle: async ({ req, res }) => {
        if (req.method === 'OPTIONS') return answerPreflight(req, res, origins);
        allowHostOrigin(req, res, origins);
        if (req.method === 'HEAD') {
          res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8' }).end();
          return 200;
        }
        if (ctx.events.full) {
          res.setHeader('retry-after', '30');
          return sendJson(res, 503, {
            error: { code: 'SERVICE_BUSY', message: 'too many registry event streams' },
          });
        }
        return ctx.events.open(req, res);
      },
    },
  ];
}

async function get(
  { registry, admin, origins }: RegistryContext,
  { req, res, params }: RouteContext,
) {
  const id = params.id!;
  if (admin.optional(req, res)) {
    const app = await registry.read(id);
    if (app === undefined) throw unknownApp(id);
    return sendJson(res, 200, app.entry, { etag: app.etag, 'cache-control': 'no-store' });
  }
  allowHostOrigin(req, res, origins);
  const app = await registry.get(id);
  if (app === undefined) throw unknownApp(id);
  const health = await registry.health(id);
  return sendJson(res, 200, publicView(app, health), {
    etag: app.etag,
    'cache-control': 'no-cache',
  });
}

/**
 * Create (`If-None-Match: *`) or update (`If-Match: "<etag>"`): a write must say which, so
 * that two admins updating at once never silently overwrite each other (one gets 412).
 */
async function put(ctx: RegistryContext, { req, res, params }: RouteContext) {
  const { registry, admin } = ctx;
  admin.require(req, res);
  const id = params.id!;
  if (!APP_ID_RE.test(id)) throw new McError('INVALID_ARGUMENT', 'not an app id');
  const creating = req.headers['if-none-match']?.trim() === '*';
  const version = versionOfEtag(req.headers['if-match']);
  if (!creating && version === undefined) return preconditionRequired(res, req.headers['if-match']);
  const parsed = AppEntrySchema.safeParse(await readJson(req, MAX_ENTRY_BYTES));
  if (!parsed.success) {
    return sendJson(res, 400, {
      error: {
        code: 'INVALID_MANIFEST',
        message: 'the entry does not match the registry schema',
        issues: parsed.error.issues.map(({ path, message }) => ({ path, message })),
      },
    });
  }
  if (parsed.data.manifest.id !== id) {
    throw new McError('INVALID_ARGUMENT', `manifest.id must be the id in the path (${id})`);
  }
  // Credentials left over from an earlier app of this id (a delete whose revocation failed
  // half-way) must not carry over to a new one.
  if (creating && (await registry.read(id)) === undefined) await ctx.credentials.revokeAll(id);
  const result = creating
    ? await registry.create(parsed.data)
    : await registry.update(parsed.data, version!);
  if (!result.ok) return preconditionFailed(res, result);
  return sendJson(
    res,
    creating ? 201 : 200,
    { id, etag: result.etag },
    {
      etag: result.etag,
      ...(creating ? { location: `/registry/apps/${id}` } : {}),
    },
  );
}

async function remove(ctx: RegistryContext, { req, res, params }: RouteContext) {
  ctx.admin.require(req, res);
  const id = params.id!;
  if (!APP_ID_RE.test(id)) throw unknownApp(id);
  const version = versionOfEtag(req.headers['if-match']);
  if (version === undefined) return preconditionRequired(res, req.headers['if-match']);
  const result = await ctx.registry.delete(id, version);
  if (!result.ok) return preconditionFailed(res, result);
  await ctx.credentials.revokeAll(id);
  await ctx.registry.announce({ id, kind: 'credentials', etag: null });
  res.writeHead(204).end();
  return 204;
}

function preconditionRequired(res: ServerResponse, ifMatch: string | undefined): number {
  const message =
    ifMatch === undefined
      ? 'send If-Match: "<etag>" to update (or delete), or If-None-Match: * to create'
      : 'If-Match must name one ETag of this entry, as GET returned it ("<n>")';
  return sendError(
    res,
    new McError('INVALID_ARGUMENT', message),
    ifMatch === undefined ? 428 : 400,
  );
}

function preconditionFailed(res: ServerResponse, result: WriteResult & { ok: false }): number {
  if (result.current !== undefined) res.setHeader('etag', result.current);
  const message =
    result.current === undefined
      ? 'precondition failed: no such entry'
      : `precondition failed: the entry is at ${result.current}`;
  return sendJson(res, 412, { error: { code: 'CONFLICT', message, etag: result.current ?? null } });
}
