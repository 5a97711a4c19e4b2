/**
 * The JWT `typ` of each kind of token the server signs with its {@link KeySet}. A verifier
 * checks the type it expects, so that no token of one kind passes for another (an identity
 * token is no gateway assertion, even with the right audience).
 */

/** A widget's identity token: minted by `POST /tokens/identity`, verified by app backends. */
export const IDENTITY_TOKEN_TYPE = 'mc-id+jwt';
/** The gateway's signed assertion of who calls a backend (server/gateway/). */
export const ASSERTION_TOKEN_TYPE = 'mc-assert+jwt';
