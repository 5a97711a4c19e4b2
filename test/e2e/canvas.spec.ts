import { expect, test, type Locator, type Page } from '@playwright/test';

/** First load compiles modules on the dev server; on a busy machine that takes a while. */
const LOAD_TIMEOUT_MS = 45_000;

function slot(page: Page, slotId: string): Locator {
  return page.locator(`mc-canvas .slot[data-slot-id="${slotId}"]`);
}

/** The slot's placement as drawn (left, top, width, height in CSS pixels). */
async function placement(locator: Locator): Promise<number[]> {
  return locator.evaluate((el) => {
    const s = (el as HTMLElement).style;
    return [s.left, s.top, s.width, s.height].map((v) => Number.parseFloat(v));
  });
}

/** Resolves once the demo's saved layout (IndexedDB) places `slotId` at (x, y). */
async function saved(page: Page, slotId: string, x: number, y: number): Promise<void> {
  await expect
    .poll(() =>
      page.evaluate(
        (id) =>
          new Promise<number[] | null>((resolve) => {
            const open = indexedDB.open('microcanvas');
            open.onsuccess = () => {
              const get = open.result.transaction('canvases').objectStore('canvases').get('demo');
              get.onsuccess = () => {
                const slot = (get.result?.state?.layout?.slots ?? []).find(
                  (s: { slotId: string }) => s.slotId === id,
                );
                open.result.close();
                resolve(slot ? [slot.x, slot.y] : null);
              };
            };
          }),
        slotId,
      ),
    )
    .toEqual([x, y]);
}

async function openDemo(page: Page, apps = ['calendar', 'todo', 'chat']): Promise<void> {
  await page.goto('/');
  for (const app of apps) {
    await expect(page.locator(`mc-frame[app="${app}"] .status`).first()).toHaveText('connected', {
      timeout: LOAD_TIMEOUT_MS,
    });
  }
}

/** Presses the mouse at the centre of `from`, moves by (dx, dy) in steps, and releases. */
async function drag(
  page: Page,
  from: Locator,
  dx: number,
  dy: number,
  during?: () => Promise<void>,
) {
  const box = (await from.boundingBox())!;
  const x = box.x + box.width / 2;
  const y = box.y + box.height / 2;
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x + dx, y + dy, { steps: 12 });
  await during?.();
  await page.mouse.up();
}

test.describe('canvas editing', () => {
  test('drags a widget by its header across another widget’s frame, and a reload restores it', async ({
    page,
  }) => {
    await openDemo(page);
    const calendar = slot(page, 'calendar-1');
    expect(await placement(calendar)).toEqual([0, 0, 360, 420]);
    const header = page.locator('mc-frame[slot-id="calendar-1"] header .name');

    // The path crosses the todo widget's iframe: the shield keeps the gesture on the page.
    await drag(page, header, 400, 480, async () => {
      await expect(page.locator('mc-canvas .shield')).toBeVisible();
    });
    await expect(page.locator('mc-canvas .shield')).toHaveCount(0);
    expect(await placement(calendar)).toEqual([400, 480, 360, 420]);
    await saved(page, 'calendar-1', 400, 480);

    await page.reload();
    await openDemo(page);
    expect(await placement(slot(page, 'calendar-1'))).toEqual([400, 480, 360, 420]);
  });

  test('resizes a widget from its corner handle', async ({ page }) => {
    await openDemo(page);
    const chat = slot(page, 'chat-1');
    await drag(page, chat.locator('.resize'), -100, 60);
    expect(await placement(chat)).toEqual([760, 0, 260, 480]);
  });

  test('moves, resizes and removes a widget with the keyboard, with visible focus', async ({
    page,
  }) => {
    await openDemo(page);
    // Tab from the Reset layout button lands on the first widget.
    await page.locator('#reset-layout').focus();
    await page.keyboard.press('Tab');
    const todo = slot(page, 'todo-1');
    const calendar = slot(page, 'calendar-1');
    await expect(calendar).toBeFocused();
    expect(await calendar.evaluate((el) => getComputedStyle(el).outlineStyle)).toBe('solid');
    // Tab goes on into the calendar widget's own controls; focus the todo slot directly.
    await todo.focus();
    await expect(todo).toBeFocused();

    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Shift+ArrowLeft');
    expect(await placement(todo)).toEqual([400, 40, 340, 420]);
    await expect(page.locator('mc-canvas .sr-only[role="status"]')).toHaveText(
      'Todo resized to 340 by 420',
    );

    await page.keyboard.press('Delete');
    await expect(todo).toHaveCount(0);
    await expect(slot(page, 'chat-1')).toBeFocused();
    await expect(page.locator('#connected')).toHaveText('2 of 2 connected');
  });

  test('adds from the catalog and removes with the button; a reload restores both', async ({
    page,
  }) => {
    await openDemo(page);
    await page.getByRole('button', { name: 'Remove Calendar' }).click();
    await page.locator('mc-catalog').getByRole('button', { name: 'Add Todo' }).click();
    await expect(page.locator('mc-frame[app="todo"]')).toHaveCount(2);
    await expect(page.locator('#connected')).toHaveText('3 of 3 connected', {
      timeout: LOAD_TIMEOUT_MS,
    });
    const added = page.locator('mc-canvas .slot[aria-label="Todo"]').nth(1);
    const where = await placement(added);

    await page.reload();
    await openDemo(page, ['todo', 'chat']);
    await expect(page.locator('mc-frame[app="calendar"]')).toHaveCount(0);
    await expect(page.locator('mc-frame[app="todo"]')).toHaveCount(2);
    expect(await placement(page.locator('mc-canvas .slot[aria-label="Todo"]').nth(1))).toEqual(
      where,
    );

    await page.getByRole('button', { name: 'Reset layout' }).click();
    await expect(page.locator('mc-canvas .slot')).toHaveCount(3);
    await expect(page.locator('mc-frame[app="calendar"]')).toHaveCount(1);
  });

  test('a covered widget’s controls take no click through the widget over it; the one pressed comes to the front, also after a reload', async ({
    page,
  }) => {
    await openDemo(page);
    const order = () =>
      page.evaluate(() => document.querySelector('mc-canvas')!.layout.map((s) => s.slotId));
    /** The slot whose part is on top at the centre of `locator` (what a click there reaches). */
    const hitAt = async (locator: Locator) => {
      const box = (await locator.boundingBox())!;
      const at = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
      const id = await page.evaluate(
        ({ x, y }) =>
          document
            .querySelector('mc-canvas')!
            .shadowRoot!.elementFromPoint(x, y)
            ?.closest<HTMLElement>('.slot')?.dataset.slotId,
        at,
      );
      return { ...at, id };
    };
    // The todo widget over the calendar's right part: its header covers the calendar's × and grip.
    await page.evaluate(() =>
      document.querySelector('mc-canvas')!.updateSlot('todo-1', { x: 240, y: 0 }),
    );
    expect(await order()).toEqual(['calendar-1', 'todo-1', 'chat-1']);
    const calendarRemove = slot(page, 'calendar-1').locator('.remove');
    const covered = await hitAt(calendarRemove);
    expect(covered.id).toBe('todo-1');
    // A real click there reaches the todo slot (it comes to the front), not the calendar's ×.
    await page.mouse.click(covered.x, covered.y);
    await expect.poll(order).toEqual(['calendar-1', 'chat-1', 'todo-1']);
    await expect(slot(page, 'calendar-1')).toHaveCount(1);

    // A press on the calendar's own header brings it to the front: now its × is on top.
    await page
      .locator('mc-frame[slot-id="calendar-1"] header .name')
      .click({ position: { x: 5, y: 5 } });
    await expect.poll(order).toEqual(['chat-1', 'todo-1', 'calendar-1']);
    expect((await hitAt(calendarRemove)).id).toBe('calendar-1');
    // The stacking order is the layout's order, saved with it: a reload keeps it.
    await saved(page, 'todo-1', 240, 0);
    await expect
      .poll(() =>
        page.evaluate(
          () =>
            new Promise<string[]>((resolve) => {
              const open = indexedDB.open('microcanvas');
              open.onsuccess = () => {
                const get = open.result.transaction('canvases').objectStore('canvases').get('demo');
                get.onsuccess = () => {
                  open.result.close();
                  resolve(
                    (get.result?.state?.layout?.slots ?? []).map(
                      (s: { slotId: string }) => s.slotId,
                    ),
                  );
                };
              };
            }),
        ),
      )
      .toEqual(['chat-1', 'todo-1', 'calendar-1']);
    await page.reload();
    await openDemo(page);
    expect(await order()).toEqual(['chat-1', 'todo-1', 'calendar-1']);
    const after = await hitAt(calendarRemove);
    expect(after.id).toBe('calendar-1');
    await page.mouse.click(after.x, after.y);
    await expect(slot(page, 'calendar-1')).toHaveCount(0);
  });

  test('a second tab of the canvas follows the first tab’s edits', async ({ page, context }) => {
    await openDemo(page);
    const second = await context.newPage();
    await openDemo(second);

    await slot(page, 'chat-1').focus();
    await page.keyboard.press('ArrowDown');
    await page.getByRole('button', { name: 'Remove Todo' }).click();

    await expect(slot(second, 'todo-1')).toHaveCount(0);
    await expect.poll(() => placement(slot(second, 'chat-1'))).toEqual([760, 20, 360, 420]);
    // And back: an edit in the second tab reaches the first.
    await second.locator('mc-catalog').getByRole('button', { name: 'Add Chat' }).click();
    await expect(page.locator('mc-frame[app="chat"]')).toHaveCount(2);
  });
});
