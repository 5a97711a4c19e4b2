import { expect, test } from '@playwright/test';

import type {} from './simulator.ts';

/**
 * The host simulator's Playwright recipe (docs/testing.md): a page that exposes
 * microcanvas/testing, the in-browser API called through `page.evaluate`, and a frame
 * locator to click inside the cross-site widget. The widget is the calendar sample app.
 */

const manifest = {
  id: 'calendar',
  publishes: ['calendar.date.selected'],
  reads: ['todo'],
  services: ['resize' as const],
  size: { height: { mode: 'content' as const, min: 160 } },
};

/** `YYYY-MM-DD` of the `day`th of this month, in local time (the page's clock and ours agree). */
function thisMonth(day: number): string {
  const now = new Date();
  const m = String(now.getMonth() + 1).padStart(2, '0');
  return `${now.getFullYear()}-${m}-${String(day).padStart(2, '0')}`;
}

test('a widget mounted by the host simulator is clicked through a frame locator', async ({
  page,
}) => {
  await page.goto('/test/e2e/simulator.html');
  await page.locator('html[data-ready]').waitFor();
  const selector = await page.evaluate(async (m) => {
    window.sim = await window.microcanvasTesting.mountWidget({
      url: '/sample-apps/calendar/index.html',
      manifest: m,
      size: { width: 420, height: 700 },
    });
    return window.sim.frameSelector;
  }, manifest);
  const frame = page.frameLocator(selector);
  // The cross-site frame is a real one: its origin is not the page's.
  const src = await page.locator(selector).getAttribute('src');
  expect(new URL(src!).origin).not.toBe(new URL(page.url()).origin);
  // Feed the todo app's state: the calendar marks the days that have open todos.
  await page.evaluate(
    (date) => window.sim.setState('todo', { open: 2, byDate: { [date]: 2 } }),
    thisMonth(2),
  );
  await expect(frame.locator('#open-count')).toHaveText('2 open todos');
  await expect(frame.locator(`[data-date="${thisMonth(2)}"] .dot`)).toHaveCount(1);

  await frame.locator(`[data-date="${thisMonth(1)}"]`).click();
  const event = await page.evaluate(() => window.sim.expectPublished('calendar.date.selected'));
  expect(event.data).toEqual({ date: thisMonth(1) });

  // The error path: the host refuses the publish, and the calendar says so.
  await page.evaluate(() => window.sim.refuse('publish', 'calendar.date.selected'));
  await frame.locator(`[data-date="${thisMonth(3)}"]`).click();
  await expect(frame.locator('#notice')).toContainText('NOT_PERMITTED');
  expect(await page.evaluate(() => window.sim.published.length)).toBe(1);
  await page.evaluate(() => window.microcanvasTesting.unmountAll());
});
