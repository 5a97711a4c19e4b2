import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { connect } from '@nats-io/transport-node';

import { McError } from '../../../sdk/protocol/errors.ts';
import { checkMs, reasonOf, resolveOptions } from '../names.ts';
import type { Engine, EngineHealth, EngineOptions } from '../types.ts';
import { bucketName, recordsBucketName } from './nats-names.ts';
import { NatsKv } from './nats-kv.ts';
import { NatsLog } from './nats-log.ts';
import { NatsPubSub } from './nats-pubsub.ts';
import { NatsRecords } from './nats-records.ts';

/** Options of the NATS JetStream engine. */
export interface NatsEngineOptions extends EngineOptions {
  /** `nats://host:port`, or several separated by commas. */
  readonly url: string;
  /**
   * The KV bucket's max age, which is the longest TTL a key can have on nats-server 2.9
   * (no per-key TTL before 2.11). Default 7 days.
   */
  readonly kvMaxTtlMs?: number;
  /** A request that gets no answer within this long fails with STORAGE_UNAVAILABLE. */
  readonly timeoutMs?: number;
  /** Where a throwing pub/sub handler or a connection event is reported. */
  readonly onError?: (reason: string) => void;
}

/**
 * NATS with JetStream: a KV bucket, a records bucket, one stream per log stream, core subjects for fan-out.
 * nats.js reconnects by itself (forever, every 250 ms) and replays subscriptions.
 */
export async function createNatsEngine(options: NatsEngineOptions): Promise<Engine> {
  const resolved = resolveOptions(options);
  const onError = options.onError ?? (() => {});
  const kvMaxTtlMs = options.kvMaxTtlMs ?? 7 * 24 * 60 * 60 * 1000;
  checkMs('kvMaxTtlMs', kvMaxTtlMs);
  const timeout = options.timeoutMs ?? 5_000;
  let nc;
  try {
    nc = await connect({
      servers: options.url.split(','),
      name: 'microcanvas',
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      timeout,
    });
  } catch (error) {
    throw new McError('STORAGE_UNAVAILABLE', `nats at ${options.url}: ${reasonOf(error)}`);
  }
  const connection = nc;
  void (async () => {
    for await (const status of connection.status()) {
      if (status.type === 'disconnect' || status.type === 'reconnect' || status.type === 'error') {
        onError(`nats: ${status.type}`);
      }
    }
  })();
  try {
    const js = jetstream(nc, { timeout });
    const jsm = await jetstreamManager(nc, { timeout });
    const bucket = await new Kvm(js).create(bucketName(resolved.namespace), {
      history: 1,
      ttl: kvMaxTtlMs,
    });
    // Records never expire: a bucket of their own, without a max age.
    const records = await new Kvm(js).create(recordsBucketName(resolved.namespace), {
      history: 1,
    });
    return {
      name: 'nats',
      kv: new NatsKv(bucket, kvMaxTtlMs),
      records: new NatsRecords(records),
      log: new NatsLog(nc, js, jsm, resolved),
      pubsub: new NatsPubSub(nc, resolved.namespace, onError),
      async health(): Promise<EngineHealth> {
        if (connection.isClosed()) return { ok: false, reason: 'nats: connection closed' };
        try {
          // A JetStream API round trip: the server answers and JetStream is on.
          await jsm.getAccountInfo();
          return { ok: true };
        } catch (error) {
          return { ok: false, reason: `nats: ${reasonOf(error)}` };
        }
      },
      async close() {
        await connection.drain().catch(() => connection.close());
      },
    };
  } catch (error) {
    await nc.close();
    throw new McError(
      'STORAGE_UNAVAILABLE',
      `nats jetstream at ${options.url}: ${reasonOf(error)}`,
    );
  }
}
