import * as z from 'zod';

import {
  SERVICE_NAMES,
  ShortcutSchema,
  SizeSchema,
  StoragePolicySchema,
  type ServiceName,
} from './services.ts';
import { APP_ID_RE, HOST_APP_ID, PATTERN_RE } from './topics.ts';

/**
 * Permissions a manifest may ask for, each mapped to one iframe `allow` feature.
 * Anything not listed here cannot be granted.
 */
export const PERMISSIONS = {
  camera: 'camera',
  microphone: 'microphone',
  geolocation: 'geolocation',
  'clipboard-write': 'clipboard-write',
  'clipboard-read': 'clipboard-read',
} as const;
export type Permission = keyof typeof PERMISSIONS;

const LimitsSchema = z.strictObject({
  maxMessageBytes: z
    .number()
    .int()
    .min(256)
    .max(4 * 1024 * 1024)
    .optional(),
  maxDepth: z.number().int().min(1).max(256).optional(),
  maxNodes: z.number().int().min(1).max(1_000_000).optional(),
  eventsPerSecond: z.number().positive().max(100_000).optional(),
  burst: z.number().int().min(1).max(1_000_000).optional(),
  bytesPerSecond: z
    .number()
    .int()
    .min(1024)
    .max(256 * 1024 * 1024)
    .optional(),
  maxSubscriptions: z.number().int().min(1).max(10_000).optional(),
});

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** https anywhere; http only on loopback, for development. The fragment belongs to the shell. */
function isAllowedAppUrl(value: string): boolean {
  const url = new URL(value);
  if (url.hash !== '' || value.includes('#')) return false;
  if (url.protocol === 'https:') return true;
  return (
    url.protocol === 'http:' &&
    (LOOPBACK_HOSTS.has(url.hostname) || /^127\.\d+\.\d+\.\d+$/.test(url.hostname))
  );
}

const PatternSchema = z.string().max(200).regex(PATTERN_RE, 'must be a topic pattern (a.b.c)');

/** An app manifest, registered by the host. Rights come from here and nowhere else. */
export const ManifestSchema = z
  .strictObject({
    id: z
      .string()
      .regex(APP_ID_RE, 'must be lowercase ASCII: a letter, then letters, digits, - or _')
      .refine((id) => id !== HOST_APP_ID, '"host" is reserved'),
    name: z.string().trim().min(1).max(80),
    url: z
      .url({ protocol: /^https?$/ })
      .max(2048)
      .refine(isAllowedAppUrl, 'must be https (http only on loopback) and have no fragment'),
    description: z.string().max(500).optional(),
    publishes: z.array(PatternSchema).max(64).default([]),
    subscribes: z.array(PatternSchema).max(64).default([]),
    reads: z.array(z.string().regex(APP_ID_RE)).max(64).default([]),
    permissions: z
      .array(z.enum(Object.keys(PERMISSIONS) as [Permission, ...Permission[]]))
      .max(8)
      .default([]),
    limits: LimitsSchema.default({}),
    /** Host services the app may call (deny by default); see docs/services.md. */
    services: z
      .array(z.enum(SERVICE_NAMES as unknown as [ServiceName, ...ServiceName[]]))
      .max(SERVICE_NAMES.length)
      .default([]),
    /** Per-axis sizing: `content` axes follow the widget's `resize` requests. */
    size: SizeSchema.default({
      width: { mode: 'fixed', min: 0 },
      height: { mode: 'fixed', min: 0 },
    }),
    /** Keyboard shortcuts a focused widget may forward to the host (`shortcuts` service). */
    shortcuts: z.array(ShortcutSchema).max(16).default([]),
    /** Per-app storage quota (`storage` service). */
    storage: StoragePolicySchema.optional(),
  })
  .superRefine((m, ctx) => {
    m.publishes.forEach((pattern, i) => {
      if (pattern.split('.')[0] !== m.id) {
        ctx.addIssue({
          code: 'custom',
          path: ['publishes', i],
          message: `must start with the app's own id ("${m.id}.")`,
        });
      }
    });
  });

/** A manifest as the host author writes it. */
export type ManifestInput = z.input<typeof ManifestSchema>;
/** A validated manifest with defaults filled in. */
export type Manifest = z.output<typeof ManifestSchema>;
