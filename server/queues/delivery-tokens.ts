import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

import { McError } from '../../sdk/protocol/errors.ts';
import type { RecordStore } from '../engine/index.ts';

/** The record holding the key every server process seals delivery tokens with. */
const SECRET_KEY = 'queues.token-key';
const MAC_BYTES = 16;

/**
 * Delivery tokens as clients see them: the engine's token (an offset, a Redis entry id, a
 * JetStream ack subject) with an HMAC over it and the queue it belongs to. A client can
 * neither make one up nor use one of another queue: the engine never sees a token the
 * server did not hand out for that very queue. The key is a random secret kept in the
 * engine's records (created by the first process that needs it), so that a delivery pulled
 * through one process can be acked through another.
 */
export class DeliveryTokens {
  readonly #records: RecordStore;
  #key: Promise<Buffer> | undefined;

  constructor(records: RecordStore) {
    this.#records = records;
  }

  /** The client's token for `engineToken` of `app`'s queue `queue`. */
  async seal(app: string, queue: string, engineToken: string): Promise<string> {
    const body = Buffer.from(engineToken, 'utf8');
    const mac = await this.#mac(app, queue, body);
    return `${body.toString('base64url')}.${mac.toString('base64url')}`;
  }

  /** The engine's token inside `token`, or INVALID_ARGUMENT when it is not one of this queue. */
  async open(app: string, queue: string, token: string): Promise<string> {
    const [body, mac, extra] = token.split('.');
    if (body === undefined || mac === undefined || extra !== undefined) throw invalid();
    const bytes = Buffer.from(body, 'base64url');
    const given = Buffer.from(mac, 'base64url');
    const want = await this.#mac(app, queue, bytes);
    if (given.length !== want.length || !timingSafeEqual(given, want)) throw invalid();
    return bytes.toString('utf8');
  }

  async #mac(app: string, queue: string, body: Buffer): Promise<Buffer> {
    const key = await this.#loadKey();
    return createHmac('sha256', key)
      .update(`${app}\n${queue}\n`)
      .update(body)
      .digest()
      .subarray(0, MAC_BYTES);
  }

  #loadKey(): Promise<Buffer> {
    this.#key ??= this.#readOrCreate().catch((error: unknown) => {
      this.#key = undefined; // try again with the next request
      throw error;
    });
    return this.#key;
  }

  async #readOrCreate(): Promise<Buffer> {
    const existing = await this.#records.get(SECRET_KEY);
    if (existing !== undefined) return Buffer.from(existing.value, 'base64url');
    const fresh = randomBytes(32).toString('base64url');
    const written = await this.#records.compareAndSet(SECRET_KEY, fresh, 0);
    // Another process created it first: everyone uses the one that won.
    const value = written.ok ? fresh : written.current?.value;
    if (value === undefined) throw new McError('STORAGE_UNAVAILABLE', 'no delivery token key');
    return Buffer.from(value, 'base64url');
  }
}

function invalid(): McError {
  return new McError('INVALID_ARGUMENT', 'not a delivery token of this queue');
}
