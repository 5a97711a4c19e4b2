// @ts-check
// Server commands that crash a widget's renderer for real (issue 4), Chromium only.
//
// Playwright marks a whole page crashed when any frame of it crashes (every frame session
// listens for Inspector.targetCrashed), and the runner's teardown then fails on that page.
// So the crash happens in a second page of the same browser context: `crash-host-open`
// loads a host page there, `crash-frame` sends Page.crash to one of its frames' DevTools
// target, `crash-host-close` closes it. The test page follows the second page's host over
// a BroadcastChannel (same origin), which the crash does not touch.

/** @type {WeakMap<object, import('playwright').Page>} */
const hostPages = new WeakMap();

/** @returns {import('@web/test-runner').TestRunnerPlugin} */
export function crashPlugin() {
  return {
    name: 'mc-crash',
    async executeCommand({ command, payload, session }) {
      if (!command.startsWith('crash-')) return undefined;
      /** @type {any} */
      const launcher = session.browser;
      if (typeof launcher.getPage !== 'function' || session.browser.type !== 'playwright') {
        return { supported: false };
      }
      /** @type {import('playwright').Page} */
      const page = launcher.getPage(session.id);
      const args = /** @type {{ url?: string, match?: string }} */ (payload ?? {});
      if (command === 'crash-host-open') {
        const hostPage = await page.context().newPage();
        hostPages.set(session, hostPage);
        await hostPage.goto(new URL(String(args.url), page.url()).href);
        return { supported: true };
      }
      const hostPage = hostPages.get(session);
      if (!hostPage) return { supported: true, error: 'no host page' };
      if (command === 'crash-frame') {
        const frame = hostPage.frames().find((f) => f.url().includes(String(args.match)));
        if (!frame) return { supported: true, error: `no frame matching ${args.match}` };
        const cdp = await page.context().newCDPSession(frame);
        // The renderer dies before it could answer: do not wait for a reply.
        void cdp.send('Page.crash').catch(() => undefined);
        return { supported: true, crashed: frame.url() };
      }
      if (command === 'crash-host-close') {
        hostPages.delete(session);
        await Promise.race([
          hostPage.close().catch(() => undefined),
          new Promise((resolve) => setTimeout(resolve, 5000)),
        ]);
        return { supported: true };
      }
      return undefined;
    },
  };
}
