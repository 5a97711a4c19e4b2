import { expect, waitUntil } from '@open-wc/testing';

import type { McCanvas } from '../../shell/elements/mc-canvas.ts';
import type { McDialog } from '../../shell/elements/mc-dialog.ts';
import { callOnce, callService, mountServices } from '../fixtures/services-harness.ts';
import { cleanup, createCanvas } from '../helpers/canvas.ts';

/** Resolves with the slot's open dialog once it is drawn. */
async function openDialog(canvas: McCanvas, slot: string): Promise<McDialog> {
  const frame = canvas.frame(slot)!;
  await waitUntil(() => frame.renderRoot.querySelector('mc-dialog'), 'no dialog', {
    timeout: 20_000,
  });
  const dialog = frame.renderRoot.querySelector('mc-dialog')!;
  await dialog.updateComplete;
  return dialog;
}

const part = (dialog: McDialog, selector: string) =>
  dialog.renderRoot.querySelector<HTMLElement>(selector);

describe('Host services: modal', () => {
  afterEach(cleanup);

  it('draws a confirm over the slot, labelled with the app name; the answer goes back', async () => {
    const canvas = createCanvas();
    const slot = await mountServices(canvas, 'alpha');
    const answer = callOnce(canvas, 'alpha', slot, 'modal', [
      { kind: 'confirm', title: 'Delete?', text: 'Delete 3 items?', confirmLabel: 'Delete' },
    ]);
    const dialog = await openDialog(canvas, slot);
    expect(part(dialog, '.from')!.textContent).to.equal('Services alpha asks');
    expect(part(dialog, '.title')!.textContent).to.equal('Delete?');
    expect(part(dialog, '.text')!.textContent).to.equal('Delete 3 items?');
    expect(part(dialog, '[role=alertdialog]')).not.to.equal(null);
    const iframe = canvas.frame(slot)!.renderRoot.querySelector('iframe')!;
    // The widget underneath cannot be used while its dialog is open.
    expect(iframe.inert).to.equal(true);
    expect((dialog.renderRoot as ShadowRoot).activeElement).to.equal(
      part(dialog, 'button.confirm'),
    );
    part(dialog, 'button.confirm')!.click();
    expect(await answer).to.deep.equal({ value: true });
    await canvas.frame(slot)!.updateComplete;
    expect(canvas.frame(slot)!.renderRoot.querySelector('mc-dialog')).to.equal(null);
    expect(iframe.inert).to.equal(false);
  });

  it('answers false on cancel and on Escape', async () => {
    const canvas = createCanvas();
    const slot = await mountServices(canvas, 'alpha');
    const first = callOnce(canvas, 'alpha', slot, 'modal', [{ kind: 'confirm', text: 'Sure?' }]);
    part(await openDialog(canvas, slot), 'button.cancel')!.click();
    expect(await first).to.deep.equal({ value: false });
    const second = callOnce(canvas, 'alpha', slot, 'modal', [{ kind: 'confirm', text: 'Sure?' }]);
    const dialog = await openDialog(canvas, slot);
    part(dialog, 'button.confirm')!.dispatchEvent(
      new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, composed: true }),
    );
    expect(await second).to.deep.equal({ value: false });
  });

  it('shows one dialog at a time per app: modal spam gets SERVICE_BUSY or RATE_LIMITED (UI-1)', async () => {
    const canvas = createCanvas();
    const slot = await mountServices(canvas, 'alpha');
    const spam = callService(canvas, 'alpha', slot, 'modal', [{ text: 'spam' }], 100);
    const dialog = await openDialog(canvas, slot);
    // The 99 others are refused while the first is open (the report waits for it).
    await waitUntil(
      () => canvas.frame(slot)!.renderRoot.querySelectorAll('mc-dialog').length === 1,
    );
    part(dialog, 'button.confirm')!.click();
    const report = await spam;
    expect(report.results.filter((r) => !('error' in r))).to.deep.equal([{ value: true }]);
    expect((report.codes.SERVICE_BUSY ?? 0) + (report.codes.RATE_LIMITED ?? 0)).to.equal(99);
    expect(report.codes.SERVICE_BUSY).to.be.at.least(1);
  });

  it('keeps an oversized dialog inside the slot and shows markup as text', async () => {
    const canvas = createCanvas();
    const slot = await mountServices(canvas, 'alpha', {}, { width: 200, height: 140 });
    const text = `<img src=x onerror="parent.pwned=1">${'long words '.repeat(80)}`
      .slice(0, 1000)
      .trim();
    void callOnce(canvas, 'alpha', slot, 'modal', [{ text, title: 'T'.repeat(80) }]);
    const dialog = await openDialog(canvas, slot);
    expect(part(dialog, '.text')!.textContent).to.equal(text);
    expect(dialog.renderRoot.querySelector('img')).to.equal(null);
    const slotBox = canvas.frame(slot)!.getBoundingClientRect();
    const box = part(dialog, '.box')!.getBoundingClientRect();
    expect(box.left).to.be.at.least(slotBox.left);
    expect(box.top).to.be.at.least(slotBox.top);
    expect(box.right).to.be.at.most(slotBox.right);
    expect(box.bottom).to.be.at.most(slotBox.bottom);
    const tooLong = await callOnce(canvas, 'alpha', slot, 'modal', [{ text: 'x'.repeat(1001) }]);
    expect(tooLong).to.have.nested.property('error.code', 'INVALID_ARGUMENT');
  });

  it('closes the dialog when the session ends', async () => {
    const canvas = createCanvas();
    const slot = await mountServices(canvas, 'alpha');
    void callOnce(canvas, 'alpha', slot, 'modal', [{ text: 'Still there?' }]);
    await openDialog(canvas, slot);
    const frame = canvas.frame(slot)!;
    await frame.restart();
    await frame.updateComplete;
    expect(frame.renderRoot.querySelector('mc-dialog')).to.equal(null);
  });
});
