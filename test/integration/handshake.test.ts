import { expect } from '@open-wc/testing';

import {
  cleanup,
  createCanvas,
  fixtureUrl,
  mountDriven,
  waitForStatus,
} from '../helpers/canvas.ts';

describe('handshake with a cross-site sandboxed widget', () => {
  afterEach(cleanup);

  it('connects a widget and shows it as connected', async () => {
    const canvas = createCanvas();
    const slotId = await mountDriven(canvas, 'alpha');
    const status = await waitForStatus(canvas, slotId, 'connected');
    expect(status.state).to.equal('connected');
    const frame = canvas.frame(slotId)!;
    const iframe = frame.renderRoot.querySelector('iframe')!;
    expect(iframe.getAttribute('sandbox')).to.equal('allow-scripts');
    expect(new URL(iframe.src).hostname).to.equal('127.0.0.1');
    expect(location.hostname).to.equal('localhost');
    expect(frame.renderRoot.querySelector('header')!.textContent).to.contain('Driven alpha');
  });

  it('ends a widget that never says hello in the error state at the deadline', async () => {
    const canvas = createCanvas({ connectTimeoutMs: 1500 });
    canvas.host.register({ id: 'mute', name: 'Mute', url: fixtureUrl('silent.html') });
    const slotId = canvas.mount({ app: 'mute', x: 0, y: 0, width: 100, height: 100 });
    await waitForStatus(canvas, slotId, 'loading');
    const status = await waitForStatus(canvas, slotId, 'error');
    expect(status).to.include({ state: 'error', code: 'HANDSHAKE_TIMEOUT' });
    const stats = await canvas.host.stats();
    expect(stats.connections).to.equal(1); // only the host's own client
  });

  it('refuses a hello with the wrong nonce', async () => {
    const canvas = createCanvas();
    canvas.host.register({ id: 'forger', name: 'Forger', url: fixtureUrl('wrong-nonce.html') });
    const slotId = canvas.mount({ app: 'forger', x: 0, y: 0, width: 100, height: 100 });
    const status = await waitForStatus(canvas, slotId, 'error');
    expect(status).to.include({ code: 'HANDSHAKE_REFUSED' });
    expect((await canvas.host.stats()).connections).to.equal(1);
  });
});
