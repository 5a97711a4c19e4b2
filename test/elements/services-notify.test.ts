import { expect, waitUntil } from '@open-wc/testing';

import { MAX_TOASTS_PER_APP, SERVICE_RATES } from '../../shell/services/index.ts';
import type { McToasts } from '../../shell/elements/mc-toasts.ts';
import { callOnce, callService, mountServices } from '../fixtures/services-harness.ts';
import { cleanup, createCanvas } from '../helpers/canvas.ts';

/**
 * The automatic toast view of the canvas's host, and its rendered toasts. The view loads
 * with the first toast (docs/decisions/0012), so it is waited for.
 */
async function toastView(): Promise<McToasts> {
  await waitUntil(() => document.querySelector('mc-toasts'), 'no <mc-toasts> on the page');
  await customElements.whenDefined('mc-toasts');
  return document.querySelector('mc-toasts')!;
}

async function renderedToasts() {
  const view = await toastView();
  await view.updateComplete;
  return [...view.renderRoot.querySelectorAll('li.toast')].map((li) => ({
    app: li.querySelector('.app')!.textContent!.trim(),
    text: li.querySelector('.text')!.textContent!,
    element: li,
  }));
}

describe('Host services: notify', () => {
  afterEach(cleanup);

  it('draws a toast labelled with the app name from the manifest', async () => {
    const canvas = createCanvas();
    const slot = await mountServices(canvas, 'alpha');
    const outcome = await callOnce(canvas, 'alpha', slot, 'notify', [
      { text: 'Saved 3 items', kind: 'success' },
    ]);
    expect(outcome).not.to.have.property('error');
    const toasts = await renderedToasts();
    expect(toasts.map(({ app, text }) => ({ app, text }))).to.deep.equal([
      { app: 'Services alpha', text: 'Saved 3 items' },
    ]);
    expect(toasts[0]!.element.classList.contains('success')).to.equal(true);
    expect(toasts[0]!.element.getAttribute('role')).to.equal('status');
  });

  it('shows HTML in toast text as text, never as markup (CAP-6)', async () => {
    const canvas = createCanvas();
    const slot = await mountServices(canvas, 'alpha');
    const html = '<img src=x onerror="parent.pwned=1"><b>bold</b><script>1</script>';
    await callOnce(canvas, 'alpha', slot, 'notify', [{ text: html }]);
    const [toast] = await renderedToasts();
    expect(toast!.text).to.equal(html);
    expect(toast!.element.querySelector('img, b, script')).to.equal(null);
    expect((window as { pwned?: number }).pwned).to.equal(undefined);
  });

  it('rate-limits toast spam and caps what one app has on screen (UI-1)', async () => {
    const canvas = createCanvas();
    const slot = await mountServices(canvas, 'alpha');
    const report = await callService(canvas, 'alpha', slot, 'notify', [{ text: 'spam' }], 200);
    const ok = report.results.filter((r) => !('error' in r)).length;
    // The burst gets through (plus what refills while the calls arrive), the rest is refused.
    expect(ok).to.be.within(SERVICE_RATES.notify.burst, SERVICE_RATES.notify.burst + 2);
    expect(report.codes).to.deep.equal({ RATE_LIMITED: 200 - ok });
    expect((await renderedToasts()).length).to.equal(MAX_TOASTS_PER_APP);
  });

  it('refuses junk arguments with INVALID_ARGUMENT and keeps working', async () => {
    const canvas = createCanvas();
    const slot = await mountServices(canvas, 'alpha');
    const junk: unknown[][] = [
      [],
      [null],
      ['just a string'],
      [{ text: '' }],
      [{ text: 'x'.repeat(301) }],
      [{ text: 'ok', kind: 'javascript:alert(1)' }],
      [{ text: 'ok', extra: true }],
      [{ text: 42 }],
      [{ text: { toString: 'x' } }],
    ];
    for (const args of junk) {
      const outcome = await callOnce(canvas, 'alpha', slot, 'notify', args);
      expect(outcome, JSON.stringify(args)).to.have.nested.property(
        'error.code',
        'INVALID_ARGUMENT',
      );
      // No host stack trace crosses to the widget.
      expect(JSON.stringify(outcome)).not.to.include('.ts:');
    }
    // Nothing shown: the stack is empty, and no view was needed (it loads with a toast; once
    // its module is here, a view that a toast asked for would have been placed).
    expect(canvas.host.services.toasts.toasts).to.have.length(0);
    await import('../../shell/elements/mc-toasts.ts');
    expect(document.querySelector('mc-toasts')).to.equal(null);
  });

  it('refuses a service the manifest does not list exactly like an unknown method', async () => {
    const canvas = createCanvas();
    const slot = await mountServices(canvas, 'alpha', { services: ['storage'] });
    const denied = await callOnce(canvas, 'alpha', slot, 'notify', [{ text: 'hi' }]);
    const unknown = await callOnce(canvas, 'alpha', slot, 'launchMissiles', []);
    const inherited = await callOnce(canvas, 'alpha', slot, 'constructor', []);
    expect(denied).to.have.nested.property('error.code', 'NOT_PERMITTED');
    expect(unknown).to.have.nested.property('error.code', 'NOT_PERMITTED');
    expect(inherited).to.have.nested.property('error.code', 'NOT_PERMITTED');
    const message = (o: typeof denied) => ('error' in o ? String(o.error.message) : '');
    expect(message(denied).replaceAll('notify', 'M')).to.equal(
      message(unknown).replaceAll('launchMissiles', 'M'),
    );
    // Nothing shown: the stack is empty, and no view was needed (it loads with a toast; once
    // its module is here, a view that a toast asked for would have been placed).
    expect(canvas.host.services.toasts.toasts).to.have.length(0);
    await import('../../shell/elements/mc-toasts.ts');
    expect(document.querySelector('mc-toasts')).to.equal(null);
  });
});
