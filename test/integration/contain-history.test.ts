import { expect } from '@open-wc/testing';
import { executeServerCommand, sendMouse } from '@web/test-runner-commands';

import type { ManifestInput } from '../../sdk/protocol/index.ts';
import { historyGuard } from '../../shell/frames/history-guard.ts';
import {
  cleanup,
  collect,
  command,
  createCanvas,
  fixtureUrl,
  nextEvent,
  waitForStatus,
} from '../helpers/canvas.ts';
import { center, CHROMIUM, ENGINE, FIREFOX, SLOW_LOADS, violationsOf } from '../helpers/hostile.ts';

/** States the fixture pushes per click. */
const PUSHES = 5;
/** The guard takes growth within a second of seeing the host's own change for the host's. */
const OWN_SETTLE_MS = 1000;
/** Time for a frame's `load` after the restore, were it taken for a new document. */
const TRAVERSAL_SETTLE_MS = 500;

/** The fixture on a third site, so that it runs as a cross-site frame. */
function widgetUrl(bare = false): string {
  return fixtureUrl(`hostile/attacks.html?attack=pollute-history${bare ? '&bare' : ''}`).replace(
    '127.0.0.1',
    '127.0.0.2',
  );
}

function hostile(): ManifestInput {
  return {
    id: 'evil',
    name: 'Evil',
    url: widgetUrl(),
    publishes: ['evil.*.*'],
    subscribes: ['host.test.cmd'],
  };
}

/** Mounts the polluting widget and waits until it loaded; `seen` collects its violations. */
async function mountPolluter() {
  const canvas = createCanvas(SLOW_LOADS);
  const { host } = canvas;
  const seen = violationsOf(host, 'history');
  host.register(hostile());
  const loaded = nextEvent(host, 'evil.report.result');
  await loaded.ready;
  const slotId = canvas.mount({ app: 'evil', x: 0, y: 0, width: 200, height: 120 });
  await loaded;
  const iframe = canvas.frame(slotId)!.renderRoot.querySelector('iframe')!;
  return { canvas, host, seen, slotId, iframe };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits for `check`; at the deadline the error says `what`, and the tab's history length
 * then: a prune that never came and one that overshot (an extra entry, such as WebKitGTK's
 * `about:blank` after a quarantine, landing after it) fail alike otherwise.
 */
async function until(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = performance.now() + ms;
  while (!check()) {
    if (performance.now() > end) {
      throw new Error(`not within ${ms} ms: ${what} (history.length ${history.length})`);
    }
    await sleep(20);
  }
}

/**
 * The user's Back button: the browser's own (Playwright in Chromium, WebDriver BiDi in
 * Firefox). WebKitGTK's driver ends the session on a WebDriver Back here, so there the test
 * page's own `history.back()` stands in (it walked the same entries as Chromium's button).
 */
async function pressBack(): Promise<void> {
  if (CHROMIUM || FIREFOX) await executeServerCommand('history-back', { ms: 300 });
  else history.back();
}

/**
 * Presses Back until the host page is at `hash`; returns the presses it took. A Back that
 * moves only a frame shows nothing in the host page, so each press is given time to land.
 */
async function backsTo(hash: string, most = 8): Promise<number> {
  let presses = 0;
  while (location.hash !== hash) {
    if (presses === most) throw new Error(`still at ${location.hash} after ${most} Backs`);
    const before = location.hash;
    await pressBack();
    presses++;
    const pressed = performance.now();
    await until(() => location.hash !== before || performance.now() - pressed > 400, 'a Back');
  }
  return presses;
}

/** Two host entries of its own: `#<name>-prev`, where the user's Back should take them. */
async function hostEntries(name: string): Promise<void> {
  history.pushState(null, '', `#${name}-prev`);
  history.pushState(null, '', `#${name}-here`);
  // Without the Navigation API (WebKitGTK) the guard sees the host's push at its next poll
  // (250 ms) and counts the second from there.
  await sleep(OWN_SETTLE_MS + 500);
}

describe('hostile widgets: history (issue 14)', function () {
  this.timeout(60_000);
  afterEach(() => cleanup());

  if (!FIREFOX) {
    it('control: without the guard, a click into a widget that pushes 5 states costs the user 6 Backs', async () => {
      await hostEntries('control');
      const before = history.length;
      // A bare frame of the same widget: no slot, so the guard does not watch it.
      const iframe = document.createElement('iframe');
      iframe.sandbox.add('allow-scripts');
      iframe.src = widgetUrl(true);
      const ready = new Promise<void>((resolve) =>
        addEventListener('message', function listen(event) {
          if (event.source !== iframe.contentWindow || event.data !== 'history-ready') return;
          removeEventListener('message', listen);
          resolve();
        }),
      );
      iframe.style.cssText = 'position:fixed;left:0;top:60px;width:200px;height:100px;border:0';
      document.body.append(iframe);
      try {
        await ready;
        await sendMouse({ type: 'click', position: center(iframe) });
        await until(() => history.length === before + PUSHES, 'the frame pushed its states');
        const presses = await backsTo('#control-prev');
        console.log(`[issue 14] history, ${ENGINE}, no guard: ${presses} Backs to the host entry`);
        expect(presses).to.equal(PUSHES + 1);
      } finally {
        iframe.remove();
      }
    });

    it('a widget pushing states after a click inside it: taken back, recorded, Back takes the host page back', async () => {
      const { canvas, host, seen, slotId, iframe } = await mountPolluter();
      // The host's own entries, with the widget in the page (a Back to an entry older than
      // the frame is another matter: Chromium reloads the frame there).
      await hostEntries('guarded');
      const pushed = collect<{ round: number; activated: boolean }>(host, 'evil.report.pushed');
      const popstates = collect<unknown>(host, 'evil.report.popstate');
      await Promise.all([pushed.ready, popstates.ready]);
      const before = history.length;
      await sendMouse({ type: 'click', position: center(iframe) });
      await until(() => pushed.events.length === 1, 'the widget pushed');
      // The threat as issue 14 states it: entries pushed with the user's activation.
      expect(pushed.events[0]!.data.activated).to.equal(true);
      await until(() => seen.length === 1, 'the pollution recorded');
      expect(seen[0]).to.include({ app: 'evil', connection: slotId, kind: 'history' });
      expect(seen[0]!.detail).to.contain(`${PUSHES} entries`);
      expect((await host.violations()).some((v) => v.kind === 'history')).to.equal(true);
      // Restored: the widget was taken back to where it was before its pushes, and its
      // entries were replaced by one copy of the host's entry.
      await until(
        () => history.length === before + 1,
        `the widget entries pruned (from ${before})`,
      );
      await sleep(TRAVERSAL_SETTLE_MS);
      expect(canvas.frame(slotId)!.status.state).to.equal('connected');
      if (CHROMIUM) {
        await until(() => popstates.events.length > 0, 'the widget taken back');
        expect(popstates.events[0]!.data).to.equal(null);
      }
      // WebKitGTK: the widget reported no popstate for it here (a bare frame did get one,
      // with null); the length and the Backs below show where the tab is.
      expect(location.hash).to.equal('#guarded-here');
      const presses = await backsTo('#guarded-prev');
      console.log(`[issue 14] history, ${ENGINE}, guarded: ${presses} Backs to the host entry`);
      // One for the copy (nothing changes), one to the host's previous entry.
      expect(presses).to.equal(2);
      expect(seen.length).to.equal(1);
    });

    it('a widget that pollutes the history a second time is quarantined; each time is taken back', async () => {
      const { canvas, seen, slotId, iframe } = await mountPolluter();
      await hostEntries('again');
      const before = history.length;
      await sendMouse({ type: 'click', position: center(iframe) });
      await until(() => seen.length === 1, 'the first pollution recorded');
      await until(() => history.length === before + 1, `the first entries pruned (from ${before})`);
      // The frame was taken back, not reloaded: its session is the same (Chromium fires a
      // `load` for the traversal, which the session was told to expect).
      await sleep(TRAVERSAL_SETTLE_MS);
      expect(canvas.frame(slotId)!.status.state).to.equal('connected');
      // The same five again: without the prune, the length would not change at all.
      await sendMouse({ type: 'click', position: center(iframe) });
      await until(() => seen.length === 2, 'the second pollution recorded');
      const status = await waitForStatus(canvas, slotId, 'quarantined');
      expect(status).to.deep.equal({ state: 'quarantined', message: 'wrote to the tab history' });
      await until(
        () => history.length === before + 2,
        `the second entries pruned (from ${before})`,
      );
      // One Back per copy, one to the host's previous entry. WebKitGTK: one more when its
      // quarantine's `about:blank` navigation of the frame adds an entry (open, 0033), which
      // it does not always do (3 in one of session 12's clean-clone runs, 4 in the others).
      const presses = await backsTo('#again-prev');
      console.log(`[issue 14] history, ${ENGINE}, quarantined after 2: ${presses} Backs`);
      expect(presses).to.be.oneOf(CHROMIUM ? [3] : [3, 4]);
    });
  }

  if (FIREFOX) {
    it('Firefox: a cross-site widget pushing states does not reach the host page Back (its driver cannot click into the frame)', async () => {
      const canvas = createCanvas(SLOW_LOADS);
      const { host } = canvas;
      const seen = violationsOf(host, 'history');
      await hostEntries('firefox');
      host.register(hostile());
      const loaded = nextEvent<{ length: number }>(host, 'evil.report.result');
      await loaded.ready;
      const slotId = canvas.mount({ app: 'evil', x: 0, y: 60, width: 200, height: 100 });
      const start = (await loaded).data.length;
      const before = history.length;
      const pushed = nextEvent<{ length: number; activated: boolean }>(host, 'evil.report.pushed');
      await pushed.ready;
      command(host, slotId, { cmd: 'push' });
      // Positive control: the widget did push, and sees its own history grow.
      const { length, activated } = (await pushed).data;
      expect(activated).to.equal(false);
      expect(length).to.equal(start + PUSHES);
      // The top page's history.length does not count a frame in another process.
      await sleep(500);
      historyGuard().check();
      expect(history.length).to.equal(before);
      expect(seen).to.deep.equal([]);
      // And Firefox's Back skips them: one press to the host's previous entry.
      const presses = await backsTo('#firefox-prev');
      console.log(
        `[issue 14] history, ${ENGINE}, cross-site frame: ${presses} Backs to the host entry`,
      );
      expect(presses).to.equal(1);
    });
  }
});
