// Screenshots of the demo, to look at it: `node scripts/screenshot.mjs [url]`.
// Without a URL it starts its own dev server on a free port and stops it afterwards.
// Writes screenshots/demo.png (as loaded), screenshots/demo-after.png (after picking
// today, ticking a todo and sending a message), demo-devtools-apps.png and
// demo-devtools-permissions.png (<mc-devtools>' other tabs), screenshots/demo-edit.png (the canvas
// rearranged with the keyboard and the catalog, focus ring showing), demo-drag.png (mid-drag,
// the shield over the frames) and screenshots/demo-dark.png.
import { mkdirSync } from 'node:fs';

import { chromium } from 'playwright-core';
import { createServer } from 'vite';

import { CHROMIUM_ARGS, chromiumPath, ensureBrowsers } from './browsers.mjs';

const OUT = new URL('../screenshots/', import.meta.url);
const LOAD_TIMEOUT_MS = 60_000;

if (!ensureBrowsers()) process.exit(1);
mkdirSync(OUT, { recursive: true });

let server;
let base = process.argv[2];
if (!base) {
  server = await createServer({
    configFile: new URL('../vite.config.ts', import.meta.url).pathname,
    server: { port: 0 },
    logLevel: 'warn',
  });
  await server.listen();
  base = `http://localhost:${server.httpServer.address().port}/`;
}

const browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS });
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  const widget = (app) => page.frameLocator(`mc-canvas >> mc-frame[app="${app}"] >> iframe`);
  const open = async (url) => {
    await page.goto(url);
    for (const app of ['calendar', 'todo', 'chat']) {
      await widget(app).locator('body[data-ready]').waitFor({ timeout: LOAD_TIMEOUT_MS });
    }
  };
  const shot = async (name) => {
    const path = new URL(name, OUT).pathname;
    await page.screenshot({ path, fullPage: true });
    console.log(`wrote ${path}`);
  };

  await open(base);
  await shot('demo.png');

  await widget('calendar').locator('button.day[aria-current="date"]').click();
  await widget('todo')
    .getByRole('checkbox', { name: /Buy milk/ })
    .check();
  await widget('chat')
    .getByRole('textbox', { name: 'Message' })
    .fill('Milk is in the fridge, plumber next');
  await widget('chat').getByRole('button', { name: 'Send' }).click();
  await widget('chat').getByText('completed: Buy milk').waitFor();
  const devtools = page.locator('mc-devtools');
  await devtools.locator('tr', { hasText: 'chat.message.sent' }).first().waitFor();
  await shot('demo-after.png');

  // <mc-devtools>: apps and state, then a grant revoked from the panel (and restored).
  await devtools.getByRole('tab', { name: 'Apps & state' }).click();
  await shot('demo-devtools-apps.png');
  await devtools.getByRole('tab', { name: 'Permissions' }).click();
  await devtools
    .locator('[data-app="chat"] li', { hasText: 'todo.item.completed' })
    .getByRole('button', { name: 'Revoke' })
    .click();
  await devtools.getByText('devtools revoked').waitFor();
  await shot('demo-devtools-permissions.png');
  await devtools.getByRole('button', { name: 'Restore' }).click();
  await devtools.getByRole('tab', { name: 'Timeline' }).click();

  // Rearrange: chat moved down and narrowed with the keyboard, a second todo from the catalog.
  await page.locator('mc-catalog').getByRole('button', { name: 'Add Todo' }).click();
  await page.locator('mc-frame[app="todo"] .status').nth(1).getByText('connected').waitFor();
  const chat = page.locator('mc-canvas .slot[data-slot-id="chat-1"]');
  await chat.focus();
  for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Shift+ArrowLeft');
  await shot('demo-edit.png');

  const grip = await page.locator('mc-canvas .slot[data-slot-id="todo-1"] .grip').boundingBox();
  await page.mouse.move(grip.x + 8, grip.y + 8);
  await page.mouse.down();
  await page.mouse.move(grip.x + 48, grip.y + 488, { steps: 8 });
  await shot('demo-drag.png');
  await page.mouse.up();
  // The layout is saved: put the default back before the next load.
  await page.getByRole('button', { name: 'Reset layout' }).click();

  await open(new URL('?theme=dark', base).href);
  await shot('demo-dark.png');
} finally {
  await browser.close();
  await server?.close();
}
