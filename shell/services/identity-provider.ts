import type { IdentityToken } from '../../sdk/protocol/index.ts';

/**
 * Where the host gets a widget's identity token from (the `identity` service): the host page's
 * connection to its server, `IdentityRemote` in `microcanvas/remote`, set as
 * `host.services.identity`. The host names the app and slot from the mount; the provider
 * adds the space and the user's credential.
 */
export interface IdentityProvider {
  /** Resolves to a token for `app` in `slot`, or rejects with an `McError`. */
  identityToken(request: { readonly app: string; readonly slot: string }): Promise<IdentityToken>;
}
