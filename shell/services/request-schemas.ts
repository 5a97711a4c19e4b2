import type * as Schemas from '../../sdk/protocol/service-schemas.ts';
import { lazy } from '../shared/lazy.ts';

/**
 * The service argument schemas (zod), loaded when the first service call arrives: the page
 * does not carry zod at start-up (docs/decisions/0012-performance.md). One import, shared by
 * every later call; calls that arrive while it loads wait for it in their order.
 */
export const requestSchemas: () => Promise<typeof Schemas> = lazy(
  () => import('../../sdk/protocol/service-schemas.ts'),
);
