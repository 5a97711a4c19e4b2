import * as z from 'zod/mini';

import { PERMISSIONS, type Permission } from './permissions.ts';
import { ShortcutSchema, SizeSchema, StoragePolicySchema } from './service-schemas.ts';
import { SERVICE_NAMES, type ServiceName } from './services.ts';
import { APP_ID_RE, HOST_APP_ID, matchTopic, PATTERN_RE, patternCovers } from './topics.ts';
import { appSchemasIssue, type AppSchemas } from './app-schemas.ts';
import { MAX_SCOPES, SCOPE_RE } from './scopes.ts';
import { english } from './zod-english.ts';

/** An integer in `min..max`, checked in the order classic zod's `.int().min().max()` did. */
const intIn = (min: number, max: number) =>
  z.number().check(z.int(), z.minimum(min), z.maximum(max));

/**
 * The manifest's `limits`: each one optional, {@link DEFAULT_LIMITS} fill in the rest.
 * Defaults come from THREATS.md; a manifest may lower or raise them within these bounds.
 */
export const LimitsSchema = z.strictObject({
  /** Largest serialized event or state value, in bytes (UTF-16 code units). */
  maxMessageBytes: z.optional(intIn(256, 4 * 1024 * 1024)),
  /** Deepest nesting of objects and arrays in a payload. */
  maxDepth: z.optional(intIn(1, 256)),
  /** Most object keys plus array elements in one payload. */
  maxNodes: z.optional(intIn(1, 1_000_000)),
  /** Sustained events per second. */
  eventsPerSecond: z.optional(z.number().check(z.positive(), z.maximum(100_000))),
  /** Events that may be published at once above the sustained rate. */
  burst: z.optional(intIn(1, 1_000_000)),
  /** Sustained payload bytes per second. */
  bytesPerSecond: z.optional(intIn(1024, 256 * 1024 * 1024)),
  /** Most live subscriptions and watches per connection. */
  maxSubscriptions: z.optional(intIn(1, 10_000)),
});
/** An app's limits in force: every field of {@link LimitsSchema}, defaults filled in. */
export type AppLimits = Required<z.output<typeof LimitsSchema>>;

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * https anywhere; http only on loopback, for development. The fragment belongs to the shell.
 * Zod runs this refinement even when `z.url()` already refused the value, so text that is
 * not a URL must give false here, not a TypeError out of `Host.register`.
 */
function isAllowedAppUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.hash !== '' || value.includes('#')) return false;
  if (url.protocol === 'https:') return true;
  return (
    url.protocol === 'http:' &&
    (LOOPBACK_HOSTS.has(url.hostname) || /^127\.\d+\.\d+\.\d+$/.test(url.hostname))
  );
}

const PatternSchema = z
  .string()
  .check(z.maxLength(200), z.regex(PATTERN_RE, 'must be a topic pattern (a.b.c)'));

/**
 * What of an app leaves the browser through the host page's server connection and comes
 * back from the app's widgets on the user's other devices (docs/server.md, "Events across
 * devices"). Deny by default: without `sync` nothing leaves. Syncing never adds a right: each
 * pattern must lie inside one of the manifest's `publishes` (resp. `subscribes`), and the
 * broker forwards an event only after its usual publish check and delivers one from the
 * server only to subscriptions `subscribes` allowed (docs/decisions/0016-event-sync.md).
 */
export const SyncSchema = z.strictObject({
  /** Topics this app publishes that are also sent to the server. */
  publishes: z._default(z.array(PatternSchema).check(z.maxLength(64)), []),
  /** Topics this app's subscriptions may also receive from other devices. */
  subscribes: z._default(z.array(PatternSchema).check(z.maxLength(64)), []),
  /** Whether this app's public state is sent to the server and adopted from it. */
  state: z._default(z.boolean(), false),
});

/**
 * An app manifest, registered by the host. Rights come from here and nowhere else.
 * Written with `zod/mini` so that the host page's bundle carries only the checks it uses.
 */
export const ManifestSchema = /* @__PURE__ */ english(
  z
    .strictObject({
      id: z.string().check(
        z.regex(APP_ID_RE, 'must be lowercase ASCII: a letter, then letters, digits, - or _'),
        z.refine((id) => id !== HOST_APP_ID, '"host" is reserved'),
      ),
      name: z.string().check(z.trim(), z.minLength(1), z.maxLength(80)),
      url: z
        .url({ protocol: /^https?$/ })
        .check(
          z.maxLength(2048),
          z.refine(isAllowedAppUrl, 'must be https (http only on loopback) and have no fragment'),
        ),
      description: z.optional(z.string().check(z.maxLength(500))),
      publishes: z._default(z.array(PatternSchema).check(z.maxLength(64)), []),
      subscribes: z._default(z.array(PatternSchema).check(z.maxLength(64)), []),
      reads: z._default(z.array(z.string().check(z.regex(APP_ID_RE))).check(z.maxLength(64)), []),
      permissions: z._default(
        z
          .array(z.enum(Object.keys(PERMISSIONS) as [Permission, ...Permission[]]))
          .check(z.maxLength(8)),
        [],
      ),
      limits: z._default(LimitsSchema, {}),
      /** Host services the app may call (deny by default); see docs/services.md. */
      services: z._default(
        z
          .array(z.enum(SERVICE_NAMES as unknown as [ServiceName, ...ServiceName[]]))
          .check(z.maxLength(SERVICE_NAMES.length)),
        [],
      ),
      /** Per-axis sizing: `content` axes follow the widget's `resize` requests. */
      size: z._default(SizeSchema, {
        width: { mode: 'fixed', min: 0 },
        height: { mode: 'fixed', min: 0 },
      }),
      /** Keyboard shortcuts a focused widget may forward to the host (`shortcuts` service). */
      shortcuts: z._default(z.array(ShortcutSchema).check(z.maxLength(16)), []),
      /** Per-app storage quota (`storage` service). */
      storage: z.optional(StoragePolicySchema),
      /** What leaves the browser for the user's other devices (none by default). */
      sync: z.optional(SyncSchema),
      /**
       * Scopes the app's identity tokens carry (`identity` service; docs/backends.md,
       * "Identity tokens"). The server copies them from the registry's manifest; the app's
       * backend decides what they mean. Default none.
       */
      scopes: z._default(
        z
          .array(z.string().check(z.regex(SCOPE_RE, 'must be a scope like items:read')))
          .check(z.maxLength(MAX_SCOPES)),
        [],
      ),
      /**
       * JSON Schemas (a bounded subset) of the events this app publishes, by topic, and of
       * its public state: the broker refuses a payload that does not match
       * (docs/decisions/0023-payload-schemas.md).
       */
      schemas: z.optional(
        z.custom<AppSchemas>().check(
          z.superRefine((value, ctx) => {
            const issue = appSchemasIssue(value);
            if (issue) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
          }),
        ),
      ),
    })
    .check(
      z.superRefine((m, ctx) => {
        m.publishes.forEach((pattern, i) => {
          if (pattern.split('.')[0] !== m.id) {
            ctx.addIssue({
              code: 'custom',
              path: ['publishes', i],
              message: `must start with the app's own id ("${m.id}.")`,
            });
          }
        });
        for (const key of ['publishes', 'subscribes'] as const) {
          m.sync?.[key].forEach((pattern, i) => {
            if (!m[key].some((granted) => patternCovers(granted, pattern))) {
              ctx.addIssue({
                code: 'custom',
                path: ['sync', key, i],
                message: `must lie inside one of ${key}`,
              });
            }
          });
        }
        for (const topic of Object.keys(m.schemas?.topics ?? {})) {
          if (!m.publishes.some((granted) => matchTopic(granted, topic))) {
            ctx.addIssue({
              code: 'custom',
              path: ['schemas', 'topics', topic],
              message: 'must be a topic of publishes',
            });
          }
        }
      }),
    ),
);

/** A manifest as the host author writes it. */
export type ManifestInput = z.input<typeof ManifestSchema>;
/** A validated manifest with defaults filled in. */
export type Manifest = z.output<typeof ManifestSchema>;
