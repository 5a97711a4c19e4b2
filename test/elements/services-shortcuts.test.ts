import { expect } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';

import { McError } from '../../sdk/protocol/index.ts';
import type { McCanvas } from '../../shell/elements/mc-canvas.ts';
import type { McShortcutEvent } from '../../shell/elements/service-events.ts';
import { callOnce, mountServices, servicesManifest } from '../fixtures/services-harness.ts';
import { cleanup, command, createCanvas, nextEvent } from '../helpers/canvas.ts';

const DECLARED = { shortcuts: ['Ctrl+K', 'Alt+Shift+N', 'F2'] };

/** Mounts the fixture with its shortcut listener armed, and focuses its frame. */
async function focusedWidget(canvas: McCanvas): Promise<string> {
  const slot = await mountServices(canvas, 'alpha', DECLARED);
  const armed = nextEvent(canvas.host, 'alpha.echo.done');
  command(canvas.host, slot, { cmd: 'shortcuts' });
  expect((await armed).data).to.deep.equal(DECLARED.shortcuts);
  canvas.frame(slot)!.focus();
  expect(canvas.frame(slot)!.surface.hasFocus()).to.equal(true);
  return slot;
}

function shortcutEvents(canvas: McCanvas): McShortcutEvent[] {
  const seen: McShortcutEvent[] = [];
  canvas.addEventListener('mc-shortcut', (e) => seen.push(e));
  return seen;
}

/** WebDriver's codes for modifier keys: pressed once they stay down, pressed again released. */
const WEBDRIVER_KEYS: Record<string, string> = {
  Control: '\uE009',
  Alt: '\uE00A',
  Shift: '\uE008',
};

/**
 * Presses `key` with `modifiers` held, in the form the engine's driver understands:
 * Playwright takes down/press/up; classic WebDriver (WebKitGTK) only a key sequence.
 */
async function pressCombo(modifiers: string[], key: string): Promise<void> {
  const webdriver = !navigator.userAgent.includes('Chrome/');
  if (webdriver) {
    const mods = modifiers.map((m) => WEBDRIVER_KEYS[m]!).join('');
    await sendKeys({ type: `${mods}${key}${[...mods].reverse().join('')}` });
    return;
  }
  for (const m of modifiers) await sendKeys({ down: m });
  await sendKeys({ press: `Key${key.toUpperCase()}` });
  for (const m of [...modifiers].reverse()) await sendKeys({ up: m });
}

describe('Host services: shortcuts', () => {
  afterEach(cleanup);

  it('forwards a declared shortcut pressed in the focused widget as mc-shortcut', async () => {
    const canvas = createCanvas();
    const slot = await focusedWidget(canvas);
    const seen = shortcutEvents(canvas);
    const local = nextEvent(canvas.host, 'alpha.echo.shortcut');
    const raised = new Promise<McShortcutEvent>((resolve) =>
      canvas.addEventListener('mc-shortcut', resolve, { once: true }),
    );
    // An undeclared combo first: nothing may come of it.
    command(canvas.host, slot, { cmd: 'key', key: 'j', code: 'KeyJ', ctrlKey: true });
    command(canvas.host, slot, { cmd: 'key', key: 'k', code: 'KeyK', ctrlKey: true });
    const event = await raised;
    expect([event.combo, event.slotId, event.appId]).to.deep.equal(['Ctrl+K', slot, 'alpha']);
    expect((await local).data).to.equal('Ctrl+K');
    expect(seen.map((e) => e.combo)).to.deep.equal(['Ctrl+K']);
  });

  it('forwards real key presses from the focused frame', async function () {
    // The runner drives Firefox over WebDriver BiDi (puppeteer), whose key input does not
    // reach out-of-process cross-site frames in ESR 153 (as for clicks: docs/engines.md);
    // the synthetic-key test above covers the same path there.
    if (navigator.userAgent.includes('Firefox/')) this.skip();
    const canvas = createCanvas();
    await focusedWidget(canvas);
    const seen = shortcutEvents(canvas);
    const raised = new Promise<McShortcutEvent>((resolve) =>
      canvas.addEventListener('mc-shortcut', resolve, { once: true }),
    );
    await pressCombo(['Control'], 'j');
    await pressCombo(['Alt', 'Shift'], 'n');
    expect((await raised).combo).to.equal('Alt+Shift+N');
    expect(seen.map((e) => e.combo)).to.deep.equal(['Alt+Shift+N']);
  });

  it('refuses undeclared shortcuts and widgets without focus alike (NOT_PERMITTED)', async () => {
    const canvas = createCanvas();
    const slot = await focusedWidget(canvas);
    const seen = shortcutEvents(canvas);
    const undeclared = await callOnce(canvas, 'alpha', slot, 'shortcut', ['Ctrl+J']);
    expect(undeclared).to.have.nested.property('error.code', 'NOT_PERMITTED');
    const button = document.createElement('button');
    document.body.append(button);
    button.focus();
    expect(canvas.frame(slot)!.surface.hasFocus()).to.equal(false);
    const unfocused = await callOnce(canvas, 'alpha', slot, 'shortcut', ['Ctrl+K']);
    expect(unfocused).to.deep.equal(undeclared);
    button.remove();
    expect(seen).to.have.length(0);
  });

  it('refuses junk combos with INVALID_ARGUMENT', async () => {
    const canvas = createCanvas();
    const slot = await focusedWidget(canvas);
    for (const junk of [
      'k',
      'Shift+K',
      'Ctrl+',
      'Ctrl+K+K',
      'ctrl+k',
      42,
      null,
      'Ctrl+K'.repeat(10),
    ]) {
      const outcome = await callOnce(canvas, 'alpha', slot, 'shortcut', [junk]);
      expect(outcome, String(junk)).to.have.nested.property('error.code', 'INVALID_ARGUMENT');
    }
  });

  it('accepts only well-formed shortcuts in a manifest', () => {
    const canvas = createCanvas();
    for (const shortcuts of [['k'], ['Shift+A'], ['Cmd+K'], ['Ctrl+Alt+Delete+X']]) {
      let error: unknown;
      try {
        canvas.host.register(servicesManifest('alpha', { shortcuts }));
      } catch (e) {
        error = e;
      }
      expect(error, shortcuts[0]).to.be.instanceOf(McError);
      expect((error as McError).code).to.equal('INVALID_MANIFEST');
    }
    expect(canvas.host.register(servicesManifest('alpha', DECLARED)).shortcuts).to.deep.equal(
      DECLARED.shortcuts,
    );
  });
});
