import { expect } from '@open-wc/testing';

import type { ManifestInput } from '../../sdk/protocol/index.ts';
import { cleanup, createCanvas, nextEvent, WIDGET_ORIGIN } from '../helpers/canvas.ts';

interface Report {
  warnings: string[];
  handled: string[];
}

/** Mounts the dev-warnings fixture (a real cross-site sandboxed frame) and awaits its report. */
async function mountReporting(id: string, build: 'bundled-dev' | 'bundled', query = '') {
  const canvas = createCanvas();
  const manifest: ManifestInput = {
    id,
    name: id,
    url: `${WIDGET_ORIGIN}/test/fixtures/${build}/dev-warnings.html${query}`,
    publishes: [`${id}.report.*`],
  };
  canvas.host.register(manifest);
  const report = nextEvent<Report>(canvas.host, `${id}.report.done`);
  canvas.mount({ app: id, x: 0, y: 0, width: 100, height: 100 });
  return (await report).data;
}

const named = (what: string) =>
  `microcanvas: NOT_PERMITTED: ${what}: not permitted or does not exist.`;

describe('the SDK development build', () => {
  afterEach(cleanup);

  it('warns once per refused operation and target when no onError handler is set', async () => {
    const { warnings, handled } = await mountReporting('dw', 'bundled-dev');
    expect(handled).to.deep.equal([]);
    expect(warnings.map((w) => w.slice(0, w.indexOf('. ') + 1))).to.deep.equal([
      named('publish "dw.secret.leaked"'),
      named('publish "dw.other.leaked"'),
      named('subscribe "nosuch.*.*"'),
    ]);
    expect(warnings[0]).to.contain('no onError handler').and.contain('docs/errors.md');
  });

  it('stays quiet when an onError handler sees the refusals', async () => {
    const { warnings, handled } = await mountReporting('dh', 'bundled-dev', '?handler');
    // Positive control: the refusals did arrive, at the handler.
    expect(handled).to.have.length(3);
    expect(handled[0]).to.equal('publish "dh.secret.leaked": not permitted or does not exist');
    expect(warnings).to.deep.equal([]);
  });

  it('is not what production builds ship: no warnings there', async () => {
    const { warnings, handled } = await mountReporting('dp', 'bundled');
    expect(handled).to.deep.equal([]);
    expect(warnings).to.deep.equal([]);
  });
});

/** Runs the standalone fixture's module, as built for `build`, in this top-level page. */
function runStandalone(build: 'bundled' | 'bundled-dev'): Promise<{ outcome: string }> {
  // A computed specifier: neither the test bundler nor tsc should resolve it.
  const url = `/test/fixtures/${build}/standalone.js`;
  return import(url) as Promise<{ outcome: string }>;
}

describe('a widget page opened on its own', () => {
  const overlays = () => document.querySelectorAll('[data-microcanvas-standalone]');
  afterEach(() => overlays().forEach((o) => o.remove()));

  it('explains how to run it in development, and only throws NOT_EMBEDDED in production', async () => {
    // The fixture's module, run in this (top-level, unframed) test page.
    const production = await runStandalone('bundled');
    expect(production.outcome).to.equal('NOT_EMBEDDED');
    expect(overlays()).to.have.length(0);

    const warn = console.warn;
    const warned: unknown[] = [];
    console.warn = (message: unknown) => warned.push(message);
    const development = await runStandalone('bundled-dev').finally(() => (console.warn = warn));
    expect(development.outcome).to.equal('NOT_EMBEDDED');
    expect(String(warned[0])).to.contain('This is a microcanvas widget');
    const [overlay] = overlays();
    expect(overlay?.getAttribute('data-microcanvas-standalone')).to.equal('top');
    const text = overlay!.shadowRoot!.textContent!;
    expect(text).to.contain('This is a microcanvas widget: connect() needs a host.');
    expect(text).to.contain('opened on its own');
    expect(text).to.contain(`url: '${location.href.split('#')[0]}'`);
    expect(text).to.contain('from microcanvas/testing, the host simulator (docs/testing.md)');
    // mountWidget needs a manifest: the suggested call must be one that runs.
    expect(text).to.contain(
      `mountWidget({ url: '${location.href.split('#')[0]}', manifest: { id: 'my-app' } })`,
    );
    expect(text).to.contain('Access-Control-Allow-Origin: *');
    overlay!.dispatchEvent(new MouseEvent('click'));
    expect(overlays()).to.have.length(0);
  });

  it('says so when it is framed by a page that is not a host', async () => {
    const iframe = document.createElement('iframe');
    const loaded = new Promise((resolve) => iframe.addEventListener('load', resolve));
    iframe.src = '/test/fixtures/bundled-dev/standalone.html';
    document.body.append(iframe);
    try {
      await loaded;
      const overlay = iframe.contentDocument!.querySelector('[data-microcanvas-standalone]');
      expect(overlay?.getAttribute('data-microcanvas-standalone')).to.equal('framed');
      expect(overlay!.shadowRoot!.textContent).to.contain('its URL has no mount parameters');
    } finally {
      iframe.remove();
    }
  });
});
