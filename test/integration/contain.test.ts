import { expect } from '@open-wc/testing';
import { sendKeys, sendMouse } from '@web/test-runner-commands';

import type { ManifestInput } from '../../sdk/protocol/index.ts';
import type { McCanvas } from '../../shell/elements/mc-canvas.ts';
import { deepActive } from '../../shell/frames/deep-active.ts';
import {
  cleanup,
  collect,
  command,
  createCanvas,
  mountDriven,
  nextEvent,
  waitForStatus,
} from '../helpers/canvas.ts';
import {
  center,
  CHROMIUM,
  ENGINE,
  FIREFOX,
  hostileManifest,
  SLOW_LOADS,
  violationsOf as violations,
} from '../helpers/hostile.ts';
import { until } from '../helpers/until.ts';

/** What a fast typist types into the host's search field while a widget steals focus. */
const TYPED = 'the quick brown fox jumps over the lazy dog 0123456789';

function hostile(attack: string, extra: Partial<ManifestInput> = {}): ManifestInput {
  return hostileManifest(attack, { subscribes: ['host.test.cmd'], ...extra });
}

function iframeOf(canvas: McCanvas, slotId: string): HTMLIFrameElement {
  return canvas.frame(slotId)!.renderRoot.querySelector('iframe')!;
}

/** An element as a failure message names it. */
function nameOf(element: Element | null): string {
  if (!element) return 'nothing';
  const id = element.id ? `#${element.id}` : '';
  return `<${element.localName}${id}>`;
}

describe('hostile widgets: focus (issue 14)', function () {
  this.timeout(60_000);
  // Chromium, in the full suite only (once on 2026-12-03): focus did not come back to the
  // host's field within 10 s, with another test page beside this one holding system focus.
  // Firefox ESR 153.8, on a new machine (2026-12-04): in a full run and its re-run, and in 1
  // of 20 runs alone on a loaded core, a theft went unrecorded or focus did not come back.
  // Two causes found and fixed in the guard since (decision 0028); a third (a theft while the
  // quarantined frame navigates away leaves focus nowhere) is open: one retry in both, and a
  // failure says where focus was and what the guard saw (UI-7's trace).
  if (CHROMIUM || FIREFOX) this.retries(1);
  let search: HTMLInputElement;
  /** Ends a test's window listeners (UI-7's trace). */
  let tracing: AbortController;

  beforeEach(() => {
    search = document.createElement('input');
    search.setAttribute('aria-label', 'search');
    document.body.prepend(search);
    tracing = new AbortController();
  });
  afterEach(() => {
    tracing.abort();
    cleanup();
    search.remove();
  });

  it('UI-7: a widget focusing its own input in a loop does not get the keys typed into the host; it is quarantined', async () => {
    const canvas = createCanvas(SLOW_LOADS);
    const { host } = canvas;
    const focusViolations = violations(host, 'focus');
    search.value = 'q: ';
    search.focus();
    host.register(hostile('steal-focus'));
    const loaded = nextEvent<{ autofocused: boolean }>(host, 'evil.report.result');
    const slotId = canvas.mount({ app: 'evil', x: 0, y: 60, width: 200, height: 100 });
    // `autofocus` in a cross-site frame: no engine lets it take focus from the host's field.
    const { autofocused } = (await loaded).data;
    expect(deepActive(document)).to.equal(search);
    // Whether focus ever left the host's field: what the host has to contain.
    let lost = 0;
    // Only a loss to a frame of this page counts: when the window itself loses system focus
    // (another test page beside this one), hasFocus() is false and no theft happened.
    const t0 = performance.now();
    const trace: string[] = [];
    const note = (what: string) => trace.push(`${Math.round(performance.now() - t0)} ${what}`);
    search.addEventListener('blur', () => {
      note(`blur to ${nameOf(deepActive(document))} (page focused ${document.hasFocus()})`);
      if (document.hasFocus()) lost++;
    });
    search.addEventListener('focus', () => note('focus'));
    window.addEventListener('blur', () => note('window blur'), { signal: tracing.signal });
    window.addEventListener('focus', () => note('window focus'), { signal: tracing.signal });
    // What a failure reports: where focus is and what the guard did (seen flaky in Firefox).
    const where = () =>
      `focus on ${nameOf(deepActive(document))}, page focused ${document.hasFocus()}, ` +
      `host field lost it ${lost}×, ${focusViolations.length} violations, ` +
      `frame hovered ${iframeOf(canvas, slotId)?.matches(':hover')}, ` +
      `user activation ${(navigator as { userActivation?: { isActive: boolean } }).userActivation?.isActive}, ` +
      `slot ${JSON.stringify(canvas.frame(slotId)?.status)}; ${trace.join(', ')}`;
    const keys = collect<string>(host, 'evil.report.key');
    await keys.ready;
    const stealing = nextEvent<boolean>(host, 'evil.report.stealing');
    command(host, slotId, { cmd: 'steal' });
    await sendKeys({ type: TYPED });
    // The thief did run (positive control); whether its focus() took focus is the engine's.
    const tookFocus = (await stealing).data;
    if (lost > 0) {
      // Chromium and Firefox: each theft was put back and recorded; the third quarantined it.
      // (Chromium lets a frame's focus() through only now and then once the host has taken
      // focus back: a run may see fewer than three thefts, and then no quarantine.)
      await until(
        () => focusViolations.length >= Math.min(lost, 3),
        () => `each theft recorded (${where()})`,
      );
      if (focusViolations.length >= 3) {
        const status = await waitForStatus(canvas, slotId, 'quarantined');
        expect(status).to.deep.equal({ state: 'quarantined', message: 'took focus' });
      }
      expect(focusViolations[0]).to.include({ app: 'evil', connection: slotId, kind: 'focus' });
      expect((await host.violations()).some((v) => v.kind === 'focus')).to.equal(true);
    } else {
      // WebKitGTK: focus() in a cross-site frame without user activation does nothing (and
      // a Chromium page without system focus, beside another test page, did not move it).
      expect(focusViolations).to.deep.equal([]);
    }
    await until(
      () => deepActive(document) === search,
      () => `focus back in the search field (${where()})`,
    );
    const leaked = keys.events.length;
    console.log(
      `[issue 14] focus theft, ${ENGINE}: ` +
        `autofocused ${autofocused}, focus() took focus ${tookFocus}, host field lost it ${lost}×, ` +
        `${leaked} of ${TYPED.length} keystrokes reached the widget, ` +
        `${search.value.length - 3} the host's field, ${focusViolations.length} violations`,
    );
    expect(search.value.startsWith('q: ')).to.equal(true);
    // No keystroke reached both sides.
    expect(search.value.length - 3 + leaked).to.be.at.most(TYPED.length);
    if (CHROMIUM) {
      // At most a key or two per theft, in the moment before the host takes focus back
      // (measured: 0 to 6 of 54); the rest, in order, in the host's field, but for a key or
      // two per theft that lands in neither while focus moves (51 of 54 seen under load).
      expect(leaked).to.be.at.most(3 * 3);
      expect(search.value.length - 3 + leaked).to.be.at.least(TYPED.length - 2 * 3);
    } else {
      // Firefox: its driver's keys go to the top document whatever has focus (docs/engines.md),
      // so none reach a frame. WebKitGTK: focus() from the frame does nothing (its driver
      // drops the spaces typed while the widget's loop runs: the stated engine quirk).
      expect(leaked).to.equal(0);
    }
  });

  it('focus enters a widget by Tab or by a click into it, without a violation (control: a focus() without a gesture is taken back)', async function () {
    const canvas = createCanvas(SLOW_LOADS);
    const { host } = canvas;
    const focusViolations = violations(host, 'focus');
    const slotId = await mountDriven(canvas, 'alpha');
    const iframe = iframeOf(canvas, slotId);
    // Keyboard navigation: Tab from the host's field, the last focusable before the slot.
    // (The canvas's own slot wrappers come first in tab order.)
    search.focus();
    for (let i = 0; i < 4 && deepActive(document) !== iframe; i++) {
      await sendKeys({ press: 'Tab' });
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    await until(() => deepActive(document) === iframe, 'Tab moved focus into the widget');
    // Pointer: a click into the widget (Firefox's driver cannot click into such a frame).
    if (!FIREFOX) {
      // The pointer crosses the host page on its way, as a hand on a mouse does.
      await sendMouse({ type: 'click', position: center(search) });
      expect(deepActive(document)).to.equal(search);
      // The hand's travel from the field to the widget (a click in the host page and then
      // in a frame in less than 200 ms is taken for a theft in Chromium).
      const pressed = performance.now();
      await until(() => performance.now() - pressed > 250, 'travel');
      await sendMouse({ type: 'click', position: center(iframe) });
      await until(() => deepActive(document) === iframe, 'the click moved focus into the widget');
      // Move the pointer away: it no longer says where the next focus may go.
      await sendMouse({ type: 'move', position: [1, 1] });
    }
    // The control in the same window: a focus() from the widget while the user types into
    // the host's field is a theft, taken back and recorded. Until it is, the legitimate moves
    // above would have been recorded too.
    search.focus();
    await sendKeys({ type: 'x' });
    const stole = nextEvent(host, 'alpha.echo.stole');
    command(host, slotId, { cmd: 'steal' });
    await stole;
    if (CHROMIUM || FIREFOX) {
      await until(() => focusViolations.length === 1, 'the theft recorded');
      expect(focusViolations[0]).to.include({ app: 'alpha', connection: slotId });
    }
    await until(() => deepActive(document) === search, 'focus back in the search field');
    expect(focusViolations.length).to.be.at.most(1);
    expect(canvas.frame(slotId)!.status.state).to.equal('connected');
  });
});
