import { expect } from '@open-wc/testing';

import type { FrameStatus } from '../../shell/frames/frame-session.ts';
import { cleanup, createCanvas, fixtureUrl, WIDGET_ORIGIN } from '../helpers/canvas.ts';

/** Mounts `url` under a short deadline; resolves with the first error status that `accept` takes. */
async function timeoutStatus(url: string, accept: (message: string) => boolean) {
  const canvas = createCanvas({ connectTimeoutMs: 1500 });
  canvas.host.register({ id: 'mute', name: 'Mute', url });
  const slotId = canvas.mount({ app: 'mute', x: 0, y: 0, width: 100, height: 100 });
  await canvas.updateComplete;
  const frame = canvas.frame(slotId)!;
  const seen: string[] = [];
  const status = await new Promise<FrameStatus>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`statuses: ${seen.join(' | ')}`)), 20_000);
    frame.addEventListener('mc-app-status', function listener({ status }) {
      if (status.state !== 'error') return;
      seen.push(status.message);
      if (!accept(status.message)) return;
      clearTimeout(timer);
      frame.removeEventListener('mc-app-status', listener);
      resolve(status);
    });
  });
  await frame.updateComplete;
  const shown = frame.renderRoot.querySelector('[part=status]')!.textContent!;
  return { status, seen, shown };
}

describe('a slot that times out waiting for hello says why', () => {
  afterEach(cleanup);

  it('names CORS when the widget is served without Access-Control-Allow-Origin', async () => {
    // The well-behaved minimal widget, from a server that forgot the header: its module
    // script is a CORS fetch with `Origin: null` and is blocked.
    const url = `${WIDGET_ORIGIN}/no-cors/test/fixtures/minimal.html`;
    const { status, seen, shown } = await timeoutStatus(url, (m) => m.includes('sends no'));
    expect(status).to.include({ code: 'HANDSHAKE_TIMEOUT' });
    expect(status.state === 'error' && status.message).to.equal(
      `no hello within 1500 ms: ${WIDGET_ORIGIN} sends no Access-Control-Allow-Origin, so the widget's module scripts are blocked in its sandboxed frame (Origin: null): serve them with Access-Control-Allow-Origin: *`,
    );
    // First the usual causes, at the deadline; then the one found.
    expect(seen[0]).to.contain('CORS').and.contain('a wrong URL').and.contain('connect()');
    expect(shown).to.contain('sends no Access-Control-Allow-Origin');
  });

  it('names the HTTP status of a wrong URL', async () => {
    const url = fixtureUrl('no-such-widget.html');
    const { status } = await timeoutStatus(url, (m) => m.includes('answered'));
    expect(status).to.include({
      code: 'HANDSHAKE_TIMEOUT',
      message: `no hello within 1500 ms: ${url} answered HTTP 404: is the URL right?`,
    });
  });

  it('says when the widget server cannot be reached at all', async () => {
    // Port 9 (discard) on loopback: nothing listens, the connection is refused at once.
    const url = 'http://127.0.0.1:9/widget.html';
    const { status } = await timeoutStatus(url, (m) => m.includes('could not be fetched'));
    expect(status).to.include({
      code: 'HANDSHAKE_TIMEOUT',
      message: `no hello within 1500 ms: ${url} could not be fetched (a wrong host, the server down, or this page's connect-src)`,
    });
  });

  it('asks about connect() when the page loads with CORS but never says hello', async () => {
    const url = fixtureUrl('silent.html');
    const { status } = await timeoutStatus(url, (m) => m.includes('loads'));
    expect(status.state === 'error' && status.message).to.match(
      /^no hello within 1500 ms: .*silent\.html loads, with CORS: does the page call connect\(\)\?/,
    );
  });
});
