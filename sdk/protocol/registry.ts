import * as z from 'zod/mini';

import { ManifestSchema } from './manifest.ts';
import { APP_ID_RE, PATTERN_RE, patternCovers } from './topics.ts';
import { english } from './zod-english.ts';

/**
 * The server's app catalog (docs/backends.md, "Registry"): what an admin writes with
 * `PUT /registry/apps/<id>`. Shared by the server, which stores and checks it, and the host,
 * which reads the public part to fill `<mc-catalog>`.
 */

/** `1.2.3`, with an optional pre-release or build suffix. */
const VERSION_RE = /^\d{1,9}\.\d{1,9}\.\d{1,9}(?:[-+][0-9A-Za-z.-]{1,64})?$/;
/** Subresource Integrity: `sha384-<base64>`. */
const INTEGRITY_RE = /^sha(?:256|384|512)-[A-Za-z0-9+/]{43,86}={0,2}$/;
/** A Standard Webhooks secret: `whsec_` and base64 of 24–64 random bytes. */
export const WEBHOOK_SECRET_RE = /^whsec_[A-Za-z0-9+/]{32,88}={0,2}$/;
/** Names of webhooks and queues within an app: like app ids. */
const NAME_RE = APP_ID_RE;
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

const HttpUrlSchema = z.url({ protocol: /^https?$/ }).check(z.maxLength(2048));
const PatternSchema = z
  .string()
  .check(z.maxLength(200), z.regex(PATTERN_RE, 'must be a topic pattern (a.b.c)'));
const TopicsSchema = z.array(PatternSchema).check(z.minLength(1), z.maxLength(64));

/** A route of the backend the gateway forwards to (`/api/<app><path>`). */
export const EndpointSchema = z.strictObject({
  /** A path prefix under the backend's base URL: `/items` also serves `/items/3`. */
  path: z.string().check(z.maxLength(512), z.regex(/^\/[A-Za-z0-9._~\-/]*$/, 'must be a path')),
  methods: z._default(z.array(z.enum(METHODS)).check(z.minLength(1)), ['GET']),
});

/** Canvas events delivered to the backend by signed HTTP POST (Standard Webhooks). */
export const WebhookSchema = z.strictObject({
  name: z.string().check(z.regex(NAME_RE)),
  /** Where deliveries go: absolute, or a path under the backend's base URL. */
  url: z.string().check(z.maxLength(2048), z.minLength(1)),
  /** Topics delivered; each must lie inside the manifest's `subscribes`. */
  topics: TopicsSchema,
  /** Signing secrets: every delivery carries one signature per secret (rotation). */
  secrets: z
    .array(z.string().check(z.regex(WEBHOOK_SECRET_RE)))
    .check(z.minLength(1), z.maxLength(4)),
});

/** Canvas events kept for the backend to pull (at-least-once, ack/nack, dead letters). */
export const QueueSchema = z.strictObject({
  name: z.string().check(z.regex(NAME_RE)),
  /** Topics queued; each must lie inside the manifest's `subscribes`. */
  topics: TopicsSchema,
  /** How long a pulled delivery may stay unacked before it is handed out again. Default 30 s. */
  ackWaitMs: z.optional(z.number().check(z.int(), z.gte(1_000), z.lte(12 * 60 * 60 * 1000))),
  /** Deliveries of an event before it moves to the dead letters. Default 5. */
  maxDeliveries: z.optional(z.number().check(z.int(), z.gte(1), z.lte(100))),
});

export const BackendSchema = z.strictObject({
  /** The backend's base URL: the gateway's and the health probe's target. */
  url: HttpUrlSchema,
  endpoints: z._default(z.array(EndpointSchema).check(z.maxLength(64)), []),
  /** Probed on an interval: absolute, or a path under `url`. Unset: only heartbeats count. */
  health: z.optional(z.string().check(z.maxLength(2048), z.minLength(1))),
  webhooks: z._default(z.array(WebhookSchema).check(z.maxLength(16)), []),
  queues: z._default(z.array(QueueSchema).check(z.maxLength(16)), []),
});

/** One app of the catalog, as an admin writes it. */
export const AppEntrySchema = /* @__PURE__ */ english(
  z
    .strictObject({
      manifest: ManifestSchema,
      version: z.string().check(z.regex(VERSION_RE, 'must be a version like 1.2.3')),
      /** Subresource Integrity hash of the widget's entry document, checked by the host. */
      integrity: z.optional(z.string().check(z.regex(INTEGRITY_RE, 'must be sha384-<base64>'))),
      backend: z.optional(BackendSchema),
    })
    .check(
      z.superRefine((entry, ctx) => {
        const granted = entry.manifest.subscribes;
        for (const kind of ['webhooks', 'queues'] as const) {
          const names = new Set<string>();
          entry.backend?.[kind].forEach((sub, i) => {
            if (names.has(sub.name)) {
              ctx.addIssue({
                code: 'custom',
                path: ['backend', kind, i, 'name'],
                message: 'is used twice',
              });
            }
            names.add(sub.name);
            sub.topics.forEach((topic, j) => {
              if (!granted.some((pattern) => patternCovers(pattern, topic))) {
                ctx.addIssue({
                  code: 'custom',
                  path: ['backend', kind, i, 'topics', j],
                  message: "must lie inside one of the manifest's subscribes",
                });
              }
            });
          });
        }
      }),
    ),
);

export type AppEntryInput = z.input<typeof AppEntrySchema>;
export type AppEntry = z.output<typeof AppEntrySchema>;
export type Webhook = z.output<typeof WebhookSchema>;
export type Queue = z.output<typeof QueueSchema>;
export type Endpoint = z.output<typeof EndpointSchema>;

/** Whether an app answers: `unknown` until the first probe or heartbeat. */
export const APP_HEALTH = ['healthy', 'unhealthy', 'unknown'] as const;
export type AppHealth = (typeof APP_HEALTH)[number];

/**
 * What anyone may read of an entry (`GET /registry/apps`): the manifest, version,
 * integrity and health, never the backend's address, secrets or credentials.
 */
export const PublicAppSchema = z.strictObject({
  manifest: ManifestSchema,
  version: z.string(),
  integrity: z.optional(z.string()),
  health: z.enum(APP_HEALTH),
  /** The entry's ETag: changes with every update. */
  etag: z.string(),
});
export type PublicApp = z.output<typeof PublicAppSchema>;
