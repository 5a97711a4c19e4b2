import { checkBounds } from '../../sdk/protocol/bounds.ts';
import { McError, refusalMessage } from '../../sdk/protocol/errors.ts';
import { DEFAULT_LIMITS } from '../../sdk/protocol/limits.ts';
import { payloadChecks } from '../../sdk/protocol/payload-checks.ts';
import { BackendPublishSchema } from '../../sdk/protocol/queues.ts';
import {
  MAX_EVENT_DATA,
  SERVER_MAX_DEPTH,
  SERVER_MAX_NODES,
} from '../../sdk/protocol/server-wire.ts';
import { matchTopic } from '../../sdk/protocol/topics.ts';
import type { EventBus } from '../bus/event-bus.ts';
import { sendJson } from '../http/respond.ts';
import type { Route } from '../http/route.ts';
import { readBody } from '../queues/read-body.ts';
import type { QueueMetrics } from '../queues/queue-metrics.ts';
import type { AppAuthenticator, RegistryReader } from '../registry/types.ts';
import { TokenBucket } from '../transport/token-bucket.ts';

/** What the publish route needs from the server. */
export interface BackendPublishDeps {
  readonly bus: EventBus;
  readonly registry: RegistryReader;
  readonly authenticate: AppAuthenticator;
  readonly metrics?: QueueMetrics;
}

/** An app's bucket, with the limits it was made for (a manifest update makes a new one). */
interface AppBucket {
  readonly rate: number;
  readonly burst: number;
  readonly bucket: TokenBucket;
}

/**
 * `POST /apps/:app/events` (docs/backends.md, "Publishing from a backend"): an app's backend
 * publishes `{space, topic, data, id}` with its credential. The rules are a widget's: the
 * topic must be in the app's namespace and inside its manifest's `publishes` (NOT_PERMITTED
 * otherwise), the payload bounded like a WebSocket event (depth, nodes, 60 KiB as JSON
 * text) and matching the manifest's payload schema for the topic (INVALID_ARGUMENT), the rate the manifest's `limits` (per server process; 429 with Retry-After). The
 * event bus stores it in the space's stream stamped `by: {backend: true}` (never what the
 * caller says), so it reaches widgets on every device and the other apps' backends.
 */
export function backendPublishRoute({
  bus,
  registry,
  authenticate,
  metrics,
}: BackendPublishDeps): Route {
  const buckets = new Map<string, AppBucket>();
  return {
    methods: ['POST'],
    path: '/apps/:app/events',
    name: '/apps/events',
    handle: async ({ req, res, params }) => {
      const caller = await authenticate(req.headers.authorization);
      const app = params['app']!;
      if (caller !== app) throw new McError('NOT_PERMITTED', 'an app may only publish as itself');
      const stored = await registry.get(app);
      if (stored === undefined) throw new McError('NOT_PERMITTED', 'no such app');
      const { manifest } = stored.entry;
      const limits = { ...DEFAULT_LIMITS, ...manifest.limits };

      let entry = buckets.get(app);
      if (entry?.rate !== limits.eventsPerSecond || entry.burst !== limits.burst) {
        entry = {
          rate: limits.eventsPerSecond,
          burst: limits.burst,
          bucket: new TokenBucket(limits.eventsPerSecond, limits.burst),
        };
        buckets.set(app, entry);
      }
      if (!entry.bucket.take()) {
        const retryS = Math.max(1, Math.ceil(1 / limits.eventsPerSecond));
        res.setHeader('retry-after', String(retryS));
        throw new McError('RATE_LIMITED', `at most ${limits.eventsPerSecond} events/s`);
      }

      const body = await readBody(req, BackendPublishSchema);
      if (!body.topic.startsWith(`${app}.`)) {
        throw new McError('NOT_PERMITTED', "a topic must be in its app's namespace");
      }
      if (!manifest.publishes.some((pattern) => matchTopic(pattern, body.topic))) {
        throw new McError('NOT_PERMITTED', "the topic is not in the manifest's publishes");
      }
      const broken = checkBounds(
        body.data,
        Math.min(SERVER_MAX_DEPTH, limits.maxDepth),
        Math.min(SERVER_MAX_NODES, limits.maxNodes),
      );
      if (broken !== null || body.data === undefined) {
        throw new McError('INVALID_ARGUMENT', `data is not bounded JSON (${broken ?? 'absent'})`);
      }
      const data = JSON.stringify(body.data);
      if (data.length > Math.min(MAX_EVENT_DATA, limits.maxMessageBytes)) {
        throw new McError('PAYLOAD_TOO_LARGE', 'data is over the event size bound');
      }
      // The manifest's payload schema, as a widget's broker checks it (decision 0023): every
      // receiving broker would drop a mismatch anyway, so the backend hears it here, by path,
      // and other apps' backends never get it.
      const invalid = payloadChecks(manifest)?.topics.get(body.topic)?.(body.data);
      if (invalid) {
        throw new McError('INVALID_ARGUMENT', refusalMessage('publish', body.topic, invalid), {
          operation: 'publish',
          target: body.topic,
        });
      }
      const result = await bus.publishFromBackend(app, body.space, body.topic, data, body.id);
      metrics?.published.inc({ result: result.duplicate ? 'duplicate' : 'stored' });
      return sendJson(res, 200, {
        id: body.id,
        epoch: result.epoch,
        offset: result.offset,
        duplicate: result.duplicate,
      });
    },
  };
}
