import { expect, waitUntil } from '@open-wc/testing';

import { loadDevtools } from '../../shell/elements/lazy-views.ts';
import type { McDevtools } from '../../shell/elements/mc-devtools.ts';
import { cleanup, command, createCanvas, mountDriven, nextEvent } from '../helpers/canvas.ts';

/** Text of the devtools' shadow root, for assertions on what a person sees. */
const shown = (devtools: McDevtools) => devtools.shadowRoot!.textContent ?? '';

describe('<mc-devtools>', () => {
  let devtools: McDevtools | undefined;
  afterEach(() => {
    devtools?.remove();
    cleanup();
  });

  it('shows what the broker decided for each event, and lets a person revoke a grant', async () => {
    await loadDevtools();
    const canvas = createCanvas();
    const { host } = canvas;
    const alpha = await mountDriven(canvas, 'alpha', { publishes: ['alpha.note.*'] });
    const beta = await mountDriven(canvas, 'beta', { subscribes: ['alpha.note.*'] });
    const subscribed = nextEvent(host, 'beta.echo.subscribed');
    command(host, beta, { cmd: 'subscribe', pattern: 'alpha.note.*' });
    await subscribed;
    devtools = document.createElement('mc-devtools');
    devtools.host = host;
    document.body.append(devtools);
    const reader = devtools.reader!;

    const heard = nextEvent(host, 'beta.echo.received');
    command(host, alpha, { cmd: 'publish', topic: 'alpha.note.added', data: 1 });
    command(host, alpha, { cmd: 'publish', topic: 'alpha.secret.leaked' });
    await heard;
    const find = (topic: string) => reader.filtered({ topic })[0];
    await waitUntil(() => find('alpha.secret.leaked') && find('alpha.note.*'), 'no entries', {
      timeout: 10_000,
    });
    const event = find('alpha.note.*');
    const refused = find('alpha.secret.leaked');
    expect(event).to.deep.include({ kind: 'event', app: 'alpha', slot: alpha, to: [beta] });
    expect(refused).to.deep.include({
      kind: 'refused',
      app: 'alpha',
      topic: 'alpha.secret.leaked',
    });
    // Filters: what beta received, and nothing beta sent on alpha's topics.
    expect(reader.filtered({ app: 'beta', direction: 'received', topic: 'alpha.' })).to.deep.equal([
      event,
    ]);
    expect(reader.filtered({ app: 'beta', direction: 'sent', topic: 'alpha.' })).to.deep.equal([]);
    await devtools.updateComplete;
    expect(shown(devtools)).to.contain(`→ beta (${beta})`);
    expect(shown(devtools)).to.contain('refused: not-permitted');
    await waitUntil(() => reader.connections.some((c) => c.slot === beta && c.received > 0));

    // Permissions: revoke beta's subscribe from the panel.
    devtools.tab = 'permissions';
    await devtools.updateComplete;
    await waitUntil(() => devtools!.shadowRoot!.querySelector('[data-app="beta"] button'));
    const told = nextEvent<{ code: string }>(host, 'beta.echo.error');
    const buttons = [...devtools.shadowRoot!.querySelectorAll('[data-app="beta"] li')];
    const row = buttons.find((li) => li.textContent!.includes('alpha.note.*'))!;
    row.querySelector('button')!.click();
    expect((await told).data.code).to.equal('NOT_PERMITTED');
    await waitUntil(() => shown(devtools!).includes('devtools revoked'), 'no audit line');
    expect(row.querySelector('button')!.textContent!.trim()).to.equal('Restore');
    expect((await host.auditLog())[0]).to.include({ by: 'devtools', action: 'revoke' });
  });

  it('keeps the broker tap closed unless a devtools is open', async () => {
    await loadDevtools();
    const canvas = createCanvas();
    const { host } = canvas;
    await host.stats();
    expect(await host.readTap(0)).to.equal(undefined);
    devtools = document.createElement('mc-devtools');
    devtools.host = host;
    document.body.append(devtools);
    expect(await host.readTap(0)).to.include({ seq: 0, missed: 0 });
    devtools.remove();
    expect(await host.readTap(0)).to.equal(undefined);
  });
});
