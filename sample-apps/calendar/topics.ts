import * as z from 'zod/mini';

import type { App } from 'microcanvas/sdk';

/**
 * `calendar.date.selected`'s payload: an ISO date. Its JSON Schema (`z.toJSONSchema`) is
 * the topic's schema in the calendar's manifest (demo/apps.ts; a test holds the two equal),
 * so the broker refuses anything else on that topic. Widgets import only the types of this
 * file (`import type`): zod stays out of their bundles.
 */
export const DateSelected = z.strictObject({
  date: z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/)),
});

/** What the calendar publishes, as types for itself and its peers (docs/typed-topics.md). */
export type CalendarApp = App<
  'calendar',
  { 'calendar.date.selected': z.output<typeof DateSelected> },
  unknown
>;
