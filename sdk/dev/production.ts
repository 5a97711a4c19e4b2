/**
 * The SDK's development hooks in a production build: nothing. The package's `imports` map
 * resolves `#microcanvas-dev` here under every condition but `development`
 * (docs/decisions/0025-dev-mode.md); `DEV_MODE` is `false`, so a bundler drops every call
 * behind it, and none of the development build's words ship (test/node/sdk/dev-mode.test.ts).
 */
import type { McError } from '../protocol/errors.ts';

/** Whether this is the SDK's development build. */
export const DEV_MODE = false;

/** Development build only: warns once about a refusal that no `onError` handler sees. */
export function warnRefusal(_error: McError): void {}

/** Development build only: explains, on the page, why `connect()` cannot run here. */
export function explainNotEmbedded(_framed: boolean): void {}
