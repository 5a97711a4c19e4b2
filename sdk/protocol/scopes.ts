// Zod-free, so that the host page's hand-written manifest guard can use it without
// pulling the manifest schema (and zod) into the start-up bundle.

/**
 * A scope an app's identity tokens carry (`scopes` in the manifest, `scopes` claim in the
 * token): lowercase ASCII, e.g. `items:read`. Meaningful only to the app's own backend.
 */
export const SCOPE_RE = /^[a-z][a-z0-9:._-]{0,63}$/;
/** Most scopes in one manifest. */
export const MAX_SCOPES = 32;
