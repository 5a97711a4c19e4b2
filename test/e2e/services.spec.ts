import { expect, test, type FrameLocator, type Page } from '@playwright/test';

/**
 * The sample apps use every host service in the demo: a host-drawn confirm and toasts,
 * host-kept storage, theme tokens, auto-resize and a declared shortcut.
 */

const APPS = ['calendar', 'todo', 'chat'] as const;
type App = (typeof APPS)[number];

function widget(page: Page, app: App): FrameLocator {
  return page.frameLocator(`mc-canvas >> mc-frame[app="${app}"] >> iframe`);
}

async function openDemo(page: Page, load = () => page.goto('/')): Promise<void> {
  await load();
  for (const app of APPS) {
    await expect(page.locator(`mc-frame[app="${app}"] .status`)).toHaveText('connected', {
      timeout: 45_000,
    });
    await expect(widget(page, app).locator('body')).toHaveAttribute('data-ready', 'true');
  }
}

test.describe('host services in the demo', () => {
  test('todo confirms in a host dialog, toasts, and keeps its items in host storage', async ({
    page,
  }) => {
    await openDemo(page);
    const todo = widget(page, 'todo');
    await todo.locator('.item', { hasText: 'Buy milk' }).locator('input').check();
    await todo.getByRole('button', { name: 'Clear done' }).click();
    const dialog = page.locator('mc-frame[app="todo"] mc-dialog');
    await expect(dialog.locator('.from')).toHaveText('Todo asks');
    await expect(dialog.locator('.text')).toHaveText('Remove 1 completed todo?');
    await dialog.getByRole('button', { name: 'Remove' }).click();
    await expect(dialog).toHaveCount(0);
    await expect(todo.locator('.item')).toHaveCount(6);
    // Host-drawn toasts, labelled by the host with each app's name.
    const toasts = page.locator('mc-toasts li.toast');
    await expect(toasts.filter({ hasText: 'Removed 1 completed todo' }).locator('.app')).toHaveText(
      'Todo',
    );
    await expect(toasts.filter({ hasText: 'completed: Buy milk' }).locator('.app')).toHaveText(
      'Chat',
    );
    // A new session of the todo widget reads its items back from the host.
    await page.evaluate(() =>
      document
        .querySelector('mc-canvas')!
        .frame(document.querySelector('mc-canvas')!.layout.find((s) => s.app === 'todo')!.slotId)!
        .restart(),
    );
    await expect(page.locator('mc-frame[app="todo"] .status')).toHaveText('connected');
    await expect(todo.locator('body')).toHaveAttribute('data-ready', 'true');
    await expect(todo.locator('.item')).toHaveCount(6);
    await expect(todo.locator('.item', { hasText: 'Buy milk' })).toHaveCount(0);
  });

  test('a todo ticked before a reload is still ticked after it (host storage in IndexedDB)', async ({
    page,
  }) => {
    await openDemo(page);
    const milk = () =>
      widget(page, 'todo').locator('.item', { hasText: 'Buy milk' }).locator('input');
    await expect(milk()).not.toBeChecked();
    await milk().check();
    // The positive signal that the tick reached the host's store before the page goes: the
    // demo's storage backend's database holds the todo app's items with it ticked.
    await expect
      .poll(() =>
        page.evaluate(
          () =>
            new Promise<boolean>((resolve) => {
              const open = indexedDB.open('microcanvas-storage');
              open.onerror = () => resolve(false);
              open.onsuccess = () => {
                const db = open.result;
                if (!db.objectStoreNames.contains('values')) return resolve(false);
                const get = db.transaction('values').objectStore('values').get(['todo', 'todos']);
                get.onerror = () => resolve(false);
                get.onsuccess = () => {
                  db.close();
                  const items: unknown =
                    typeof get.result === 'string' ? JSON.parse(get.result) : [];
                  resolve(
                    Array.isArray(items) &&
                      items.some(
                        (t: { title?: unknown; done?: unknown }) =>
                          t.title === 'Buy milk' && t.done === true,
                      ),
                  );
                };
              };
            }),
        ),
      )
      .toBe(true);
    await openDemo(page, () => page.reload());
    await expect(milk()).toBeChecked();
    await expect(widget(page, 'todo').locator('.item.done', { hasText: 'Buy milk' })).toHaveCount(
      1,
    );
  });

  test('theme changes reach every widget as tokens', async ({ page }) => {
    await openDemo(page);
    const accent = (app: App) =>
      widget(page, app)
        .locator('html')
        .evaluate((el) => getComputedStyle(el).getPropertyValue('--mc-accent').trim());
    expect(await accent('todo')).toBe('#444ce7');
    await page.evaluate(() =>
      document.querySelector('mc-canvas')!.host.setContext({
        theme: 'dark',
        tokens: { '--mc-accent': '#e11d48' },
      }),
    );
    for (const app of APPS) {
      await expect(widget(page, app).locator('html')).toHaveAttribute('data-theme', 'dark');
      expect(await accent(app)).toBe('#e11d48');
    }
  });

  test('the calendar frame is sized to its content', async ({ page }) => {
    await openDemo(page);
    const iframe = page.locator('mc-frame[app="calendar"] iframe');
    await expect(iframe).toHaveAttribute('style', /height: \d+px/);
    const content = await widget(page, 'calendar')
      .locator('html')
      .evaluate((el) => Math.ceil(el.getBoundingClientRect().height));
    const box = (await iframe.boundingBox())!;
    expect(Math.abs(box.height - content)).toBeLessThanOrEqual(1);
  });

  test('a declared shortcut in the focused todo widget reaches the host', async ({ page }) => {
    await openDemo(page);
    await page.evaluate(() => {
      (window as { shortcuts?: string[] }).shortcuts = [];
      document.addEventListener('mc-shortcut', (event) => {
        const e = event as Event & { appId: string; combo: string };
        (window as unknown as { shortcuts: string[] }).shortcuts.push(`${e.appId} ${e.combo}`);
      });
    });
    const todo = widget(page, 'todo');
    await todo.locator('#summary').click();
    await page.keyboard.press('Alt+N');
    await expect(todo.locator('#new-title')).toBeFocused();
    await expect
      .poll(() => page.evaluate(() => (window as { shortcuts?: string[] }).shortcuts))
      .toEqual(['todo Alt+N']);
  });
});
