import { createHmac } from 'node:crypto';

import { McError } from '../../sdk/protocol/errors.ts';

const PREFIX = 'whsec_';

/** The key of a `whsec_<base64>` secret: the bytes after the prefix, base64-decoded. */
export function secretKey(secret: string): Buffer {
  if (!secret.startsWith(PREFIX)) throw new McError('INVALID_ARGUMENT', 'not a whsec_ secret');
  const key = Buffer.from(secret.slice(PREFIX.length), 'base64');
  if (key.length === 0) throw new McError('INVALID_ARGUMENT', 'empty webhook secret');
  return key;
}

/**
 * The `webhook-signature` header of the Standard Webhooks specification: `v1,<base64
 * HMAC-SHA256 of "id.timestamp.body">`, one per secret, separated by spaces, so that a
 * receiver holding either the old or the new secret verifies during a rotation.
 */
export function signWebhook(
  secrets: readonly string[],
  id: string,
  timestampS: number,
  body: string,
): string {
  const signed = `${id}.${timestampS}.${body}`;
  return secrets
    .map(
      (secret) => `v1,${createHmac('sha256', secretKey(secret)).update(signed).digest('base64')}`,
    )
    .join(' ');
}

/** Every header of one delivery attempt. `timestampS`: seconds since the epoch, now. */
export function webhookHeaders(
  secrets: readonly string[],
  id: string,
  timestampS: number,
  body: string,
): Record<string, string> {
  return {
    'content-type': 'application/json',
    'user-agent': 'microcanvas-webhooks/1',
    'webhook-id': id,
    'webhook-timestamp': String(timestampS),
    'webhook-signature': signWebhook(secrets, id, timestampS, body),
  };
}
