import * as z from 'zod/mini';

import { SlotIdSchema, SpaceIdSchema } from './server-wire.ts';
import { APP_ID_RE } from './topics.ts';

/**
 * A widget's identity token as the server answers `POST /tokens/identity` and as the host
 * hands it to the widget (`identityToken`, docs/backends.md "Identity tokens"): a JWT for
 * one app, user, space and slot, and when it expires. The host page checks the server's
 * answer with this schema; the widget takes its host's word (the SDK carries no zod).
 */
export const IdentityTokenSchema = z.strictObject({
  /** The JWT (ES256, `typ` `mc-id+jwt`): send it to the app's backend as a bearer token. */
  token: z.string().check(z.minLength(1), z.maxLength(8192)),
  /** Milliseconds since the epoch: the token's `exp`. */
  expiresAt: z.number().check(z.int(), z.positive()),
  /**
   * Where the token is good: the app's API through the server's gateway, `<server>/api/<app>`
   * (docs/backends.md "Gateway"). Added by the host, which knows the server's URL as the
   * browser reaches it.
   */
  api: z.optional(z.string().check(z.maxLength(2048))),
});
export type IdentityToken = z.infer<typeof IdentityTokenSchema>;

/** What the host page asks the server for: the app and slot of the widget, in a space. */
export const IdentityRequestSchema = z.strictObject({
  app: z.string().check(z.regex(APP_ID_RE, 'not an app id')),
  space: SpaceIdSchema,
  slot: SlotIdSchema,
});
export type IdentityRequest = z.infer<typeof IdentityRequestSchema>;

/** Where the server mints identity tokens. */
export const IDENTITY_TOKEN_PATH = '/tokens/identity';
/** A cached token is handed out until this long before it expires, then a new one is asked for. */
export const IDENTITY_TOKEN_MARGIN_MS = 10_000;
