import { expect, test, type FrameLocator, type Page } from '@playwright/test';

const APPS = ['calendar', 'todo', 'chat'] as const;
type App = (typeof APPS)[number];

/** The sandboxed frame of one app; Playwright's CSS engine pierces the shadow roots. */
function widget(page: Page, app: App): FrameLocator {
  return page.frameLocator(`mc-canvas >> mc-frame[app="${app}"] >> iframe`);
}

/** First load compiles modules on the dev server; on a busy machine that takes a while. */
const LOAD_TIMEOUT_MS = 45_000;

/** Opens the demo and waits until every widget is connected and listening. */
async function openDemo(page: Page): Promise<void> {
  await page.goto('/');
  for (const app of APPS) {
    await expect(page.locator(`mc-frame[app="${app}"] .status`)).toHaveText('connected', {
      timeout: LOAD_TIMEOUT_MS,
    });
    await expect(widget(page, app).locator('body')).toHaveAttribute('data-ready', 'true');
  }
}

test.describe('microcanvas demo', () => {
  test('the host page protects itself from embedders (THREATS guarantee 10)', async ({ page }) => {
    const response = await page.goto('/');
    const headers = response!.headers();
    expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(headers['cross-origin-opener-policy']).toBe('same-origin');
    for (const feature of ['camera', 'microphone', 'geolocation', 'payment']) {
      expect(headers['permissions-policy']).toContain(`${feature}=()`);
    }
  });

  test('mounts the three sample apps cross-site, sandboxed, and connects them', async ({
    page,
  }) => {
    await openDemo(page);
    for (const app of APPS) {
      const iframe = page.locator(`mc-frame[app="${app}"] >> iframe`);
      await expect(iframe).toHaveAttribute('sandbox', 'allow-scripts');
      const src = (await iframe.getAttribute('src')) ?? '';
      expect(new URL(src).origin).toBe(
        new URL(page.url()).origin.replace('localhost', '127.0.0.1'),
      );
    }
    await expect(page.locator('#connected')).toHaveText('3 of 3 connected');
    // The calendar read the todo app's public state through the broker.
    await expect(widget(page, 'calendar').locator('#open-count')).toHaveText('7 open todos');
  });

  test('selecting a day in the calendar filters the todo list to that day', async ({ page }) => {
    await openDemo(page);
    const todo = widget(page, 'todo');
    await expect(todo.locator('.item')).toHaveCount(7);

    await widget(page, 'calendar').locator('button.day[aria-current="date"]').click();

    await expect(todo.locator('.item .title')).toHaveText(['Buy milk', 'Call the plumber']);
    await expect(todo.locator('#filter-label')).not.toHaveText('All todos');
    await expect(page.locator('mc-devtools')).toContainText('calendar.date.selected');

    await todo.getByRole('button', { name: 'Show all' }).click();
    await expect(todo.locator('.item')).toHaveCount(7);
  });

  test('completing a todo announces it in chat and lowers the calendar count', async ({ page }) => {
    await openDemo(page);
    const calendar = widget(page, 'calendar');
    const chat = widget(page, 'chat');
    await expect(calendar.locator('#open-count')).toHaveText('7 open todos');

    await widget(page, 'todo')
      .getByRole('checkbox', { name: /Buy milk/ })
      .check();

    await expect(chat.locator('#log .system')).toContainText(['✔ Alice completed: Buy milk']);
    await expect(calendar.locator('#open-count')).toHaveText('6 open todos');
    await expect(page.locator('mc-devtools')).toContainText('todo.item.completed');
    // The page bridge re-dispatched it on window for in-page code.
    await expect(page.locator('#bridge-count')).toHaveText('1');
  });

  test('devtools show where an event went, and revoking a grant there stops its delivery', async ({
    page,
  }) => {
    await openDemo(page);
    const devtools = page.locator('mc-devtools');
    const chat = widget(page, 'chat');
    const todo = widget(page, 'todo');
    await todo.getByRole('checkbox', { name: /Buy milk/ }).check();
    // The broker's decision: delivered to the chat widget's slot (chat subscribes to it).
    await expect(devtools.locator('tr', { hasText: 'todo.item.completed' }).first()).toContainText(
      'chat (chat-1)',
    );
    await expect(chat.locator('#log .system', { hasText: '✔' })).toHaveCount(1);

    await devtools.getByRole('tab', { name: 'Permissions' }).click();
    await devtools
      .locator('[data-app="chat"] li', { hasText: 'todo.item.completed' })
      .getByRole('button', { name: 'Revoke' })
      .click();
    await expect(devtools.locator('.audit')).toContainText('devtools revoked chat subscribe');
    await todo.getByRole('checkbox', { name: /Call the plumber/ }).check();
    await devtools.getByRole('tab', { name: 'Timeline' }).click();
    const second = devtools.locator('tr', { hasText: 'todo.item.completed' }).first();
    await expect(second).not.toContainText('chat (chat-1)');
    // Positive control in the same window: the calendar still hears todo's state.
    await expect(widget(page, 'calendar').locator('#open-count')).toHaveText('5 open todos');
    await expect(chat.locator('#log .system', { hasText: '✔' })).toHaveCount(1);
    // The chat widget was told, with the typed error, and shows it.
    await expect(chat.locator('#log')).toContainText('revoked (NOT_PERMITTED)');
  });

  test('a chat message reaches the broker and is shown once, as text', async ({ page }) => {
    await openDemo(page);
    const chat = widget(page, 'chat');
    const text = '<img src=x onerror=alert(1)> hello';

    await chat.getByRole('textbox', { name: 'Message' }).fill(text);
    await chat.getByRole('button', { name: 'Send' }).click();

    await expect(page.locator('mc-devtools')).toContainText('chat.message.sent');
    await expect(chat.locator('.message.mine .text')).toHaveText([text]);
    await expect(chat.locator('#log img')).toHaveCount(0);
  });
});
