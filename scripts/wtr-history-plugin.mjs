// @ts-check
// The browser's own Back button, for the history pollution test (issue 14, item 1).
//
// `history.back()` from the test page is not the user's Back: it is the page's own call
// (Firefox answers it from the top page's stale view of the joint history), while the Back
// button is the browser's, over the whole tab. `history-back` asks the driver for that:
// Playwright's `goBack` (Chromium), puppeteer's over WebDriver BiDi (Firefox), WebDriver
// classic's Back (WebKitGTK). A Back that only moves a frame is no navigation of the page,
// which the drivers would wait for in vain, so the command returns after `ms` at most.

/** @returns {import('@web/test-runner').TestRunnerPlugin} */
export function historyPlugin() {
  return {
    name: 'mc-history',
    async executeCommand({ command, payload, session }) {
      if (command !== 'history-back') return undefined;
      const ms = Number(/** @type {{ ms?: number }} */ (payload ?? {}).ms ?? 1000);
      /** @type {any} */
      const launcher = session.browser;
      /** @type {Promise<unknown>} */
      let back;
      if (launcher.type === 'webdriver') back = launcher.driver.back();
      else back = launcher.getPage(session.id).goBack({ timeout: ms });
      const settled = back.then(
        () => 'done',
        (/** @type {Error} */ error) => `error: ${error.message.split('\n')[0]}`,
      );
      const outcome = await Promise.race([
        settled,
        new Promise((resolve) => setTimeout(() => resolve('pending'), ms)),
      ]);
      return { outcome };
    },
  };
}
