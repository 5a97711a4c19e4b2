import { expect, test, type Browser, type Locator, type Page } from '@playwright/test';

/** First load compiles modules on the dev server; on a busy machine that takes a while. */
const LOAD_TIMEOUT_MS = 45_000;

function slot(page: Page, slotId: string): Locator {
  return page.locator(`mc-canvas .slot[data-slot-id="${slotId}"]`);
}

/** The slot's placement as drawn (left, top). */
async function position(page: Page, slotId: string): Promise<number[]> {
  return slot(page, slotId).evaluate((el) => {
    const s = (el as HTMLElement).style;
    return [s.left, s.top].map((v) => Number.parseFloat(v));
  });
}

/** A device: a browser context of its own (its own storage, so its own device id) on the demo. */
async function device(browser: Browser, query = ''): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`/${query}`);
  return page;
}

/** Resolves once the demo shows its widgets and its sync indicator says `state`. */
async function ready(page: Page, state = 'online'): Promise<void> {
  await expect(page.locator('mc-frame[app="calendar"] .status')).toHaveText('connected', {
    timeout: LOAD_TIMEOUT_MS,
  });
  await expect(page.locator('mc-sync-status')).toHaveAttribute('state', state, {
    timeout: LOAD_TIMEOUT_MS,
  });
}

/** Moves a slot one grid step right with the keyboard, as a person would. */
async function nudge(page: Page, slotId: string, key = 'ArrowRight'): Promise<void> {
  await slot(page, slotId).focus();
  await page.keyboard.press(key);
}

test.describe('one canvas on several devices (microcanvas server)', () => {
  test('an edit on one device appears on the other; offline edits merge on reconnect', async ({
    browser,
  }) => {
    const laptop = await device(browser);
    await ready(laptop);
    const phone = await device(browser);
    await ready(phone);
    await expect
      .poll(() => position(phone, 'calendar-1'))
      .toEqual(await position(laptop, 'calendar-1'));

    // A move on the laptop reaches the phone.
    const [x, y] = await position(laptop, 'calendar-1');
    await nudge(laptop, 'calendar-1');
    await expect.poll(() => position(laptop, 'calendar-1')).not.toEqual([x, y]);
    const moved = await position(laptop, 'calendar-1');
    await expect.poll(() => position(phone, 'calendar-1')).toEqual(moved);

    // The phone loses the network (its socket is closed on the browser's offline event, and
    // nothing reconnects while offline), and both devices edit different widgets.
    await phone.context().setOffline(true);
    await expect(phone.locator('mc-sync-status')).not.toHaveAttribute('state', /online|syncing/);
    const todoBefore = await position(phone, 'todo-1');
    await nudge(phone, 'todo-1', 'ArrowDown');
    await expect(phone.locator('mc-sync-status')).toContainText('1 edit kept on this device');
    const todoMoved = await position(phone, 'todo-1');
    expect(todoMoved).not.toEqual(todoBefore);
    await nudge(laptop, 'chat-1', 'ArrowDown');
    const chatMoved = await position(laptop, 'chat-1');
    // The laptop does not see the phone's offline edit.
    expect(await position(laptop, 'todo-1')).toEqual(todoBefore);

    // Back online: both converge, both edits kept.
    await phone.context().setOffline(false);
    await expect(phone.locator('mc-sync-status')).toHaveAttribute('state', 'online', {
      timeout: 30_000,
    });
    await expect.poll(() => position(laptop, 'todo-1')).toEqual(todoMoved);
    await expect.poll(() => position(phone, 'chat-1')).toEqual(chatMoved);
    for (const id of ['calendar-1', 'todo-1', 'chat-1']) {
      expect(await position(phone, id)).toEqual(await position(laptop, id));
    }
    await laptop.context().close();
    await phone.context().close();
  });

  test('a todo ticked on the laptop is announced in the chat on the phone (synced events)', async ({
    browser,
  }) => {
    const laptop = await device(browser);
    await ready(laptop);
    const phone = await device(browser);
    await ready(phone);
    const widget = (page: Page, app: string) =>
      page.frameLocator(`mc-canvas >> mc-frame[app="${app}"] >> iframe`);
    await expect(widget(phone, 'chat').locator('body')).toHaveAttribute('data-ready', 'true', {
      timeout: LOAD_TIMEOUT_MS,
    });
    await widget(laptop, 'todo')
      .getByRole('checkbox', { name: /Buy milk/ })
      .check();
    // The manifests sync todo.item.completed (todo publishes, chat subscribes): the phone's
    // chat announces it, once.
    const announced = widget(phone, 'chat').locator('#log .system');
    await expect(announced).toContainText(['✔ Alice completed: Buy milk'], { timeout: 15_000 });
    // todo's public state travels too: the phone's calendar counts the laptop's open todos.
    await expect(widget(phone, 'calendar').locator('#open-count')).toHaveText('6 open todos');
    await expect(announced).toHaveCount(1);
    await laptop.context().close();
    await phone.context().close();
  });

  test('the sample backends: ticks live in the todo backend, a picked day reaches it by webhook, the chat backend answers from its queue', async ({
    browser,
  }) => {
    const laptop = await device(browser);
    await ready(laptop);
    const phone = await device(browser);
    await ready(phone);
    const widget = (page: Page, app: string) =>
      page.frameLocator(`mc-canvas >> mc-frame[app="${app}"] >> iframe`);
    const plants = (page: Page) =>
      widget(page, 'todo').getByRole('checkbox', { name: /Water the plants/ });
    await expect(widget(phone, 'chat').locator('body')).toHaveAttribute('data-ready', 'true', {
      timeout: LOAD_TIMEOUT_MS,
    });

    // Ticked on the laptop: the todo backend stores it (through the gateway, with the
    // widget's identity token), and the chat backend, which pulls completed todos from its
    // queue, answers in the space: both devices' chats show the bot's line.
    await plants(laptop).check();
    for (const page of [laptop, phone]) {
      await expect(widget(page, 'chat').locator('#log .message')).toContainText(
        ['Water the plants is done'],
        { timeout: 20_000 },
      );
    }
    // The phone loads its items from the backend: the tick is there after a reload.
    await phone.reload();
    await ready(phone);
    await expect(plants(phone)).toBeChecked({ timeout: LOAD_TIMEOUT_MS });

    // A day picked in the laptop's calendar reaches the todo backend by signed webhook (the
    // panel counts it); the phone, reloaded, opens its todo list on that day.
    const day = widget(laptop, 'calendar').locator('button.day:not(.outside)').nth(20);
    const date = await day.getAttribute('data-date');
    await day.click();
    await expect(laptop.locator('#webhook-count')).not.toHaveText('0', { timeout: 20_000 });
    await expect(laptop.locator('#webhook-last')).toContainText('calendar.date.selected');
    await phone.reload();
    await ready(phone);
    const label = await widget(laptop, 'todo').locator('#filter-label').textContent();
    expect(date).not.toBeNull();
    await expect(widget(phone, 'todo').locator('#filter-label')).toHaveText(label!, {
      timeout: LOAD_TIMEOUT_MS,
    });
    await laptop.context().close();
    await phone.context().close();
  });

  test('an edit made while the server is unreachable survives a reload and is sent when it is back', async ({
    browser,
  }) => {
    const laptop = await device(browser);
    await ready(laptop);
    const phone = await device(browser);
    await ready(phone);
    // The server unreachable for the phone, the page still loading: no token, and the open
    // socket closed through the browser's offline event.
    await phone.context().route('**/dev/token', (route) => route.abort());
    await phone.context().setOffline(true);
    await expect(phone.locator('mc-sync-status')).not.toHaveAttribute('state', /online|syncing/);
    await phone.context().setOffline(false);
    await nudge(phone, 'calendar-1', 'ArrowDown');
    const moved = await position(phone, 'calendar-1');
    await expect(phone.locator('mc-sync-status')).toContainText('1 edit kept on this device');

    await phone.reload();
    await expect(phone.locator('mc-sync-status')).toContainText('1 edit kept on this device', {
      timeout: LOAD_TIMEOUT_MS,
    });
    expect(await position(phone, 'calendar-1')).toEqual(moved);

    await phone.context().unroute('**/dev/token');
    await expect(phone.locator('mc-sync-status')).toHaveAttribute('state', 'online', {
      timeout: 30_000,
    });
    await expect.poll(() => position(laptop, 'calendar-1')).toEqual(moved);
    await laptop.context().close();
    await phone.context().close();
  });

  // The demo's local store merges no tabs beside a server (cacheOnly): this passes only
  // through the server.
  test('two tabs of one browser meet at the server: an edit in one shows in the other', async ({
    browser,
  }) => {
    const first = await device(browser);
    await ready(first);
    const second = await first.context().newPage();
    await second.goto('/');
    await ready(second);
    const before = await position(second, 'chat-1');
    await nudge(first, 'chat-1', 'ArrowLeft');
    const moved = await position(first, 'chat-1');
    expect(moved).not.toEqual(before);
    await expect.poll(() => position(second, 'chat-1')).toEqual(moved);
    await first.context().close();
  });

  test('another user cannot see the demo space: the refusal is shown, the canvas stays local', async ({
    browser,
  }) => {
    const eve = await device(browser, '?user=eve');
    await ready(eve, 'refused');
    await expect(eve.locator('mc-sync-status')).toContainText(
      'no access to this canvas (NOT_FOUND)',
    );
    await eve.context().close();
  });
});
