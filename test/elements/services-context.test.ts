import { expect } from '@open-wc/testing';

import { McError, type AppContext } from '../../sdk/protocol/index.ts';
import type { Host } from '../../shell/host/host.ts';
import { THEME_TOKENS } from '../../shell/services/index.ts';
import { mountServices } from '../fixtures/services-harness.ts';
import { cleanup, command, createCanvas, nextEvent } from '../helpers/canvas.ts';

interface View {
  context: AppContext;
  /** `--mc-accent` as the widget's own document computes it. */
  accent: string;
  scheme: string;
}

/** The next context view an app echoes, with the subscription's `ready`. */
function nextContext(host: Host, app: string): { view: Promise<View>; ready: Promise<void> } {
  let resolve: (view: View) => void;
  const view = new Promise<View>((r) => (resolve = r));
  const off = host.subscribe<View>(`${app}.echo.context`, (event) => {
    off();
    resolve(event.data);
  });
  return { view, ready: off.ready };
}

describe('Host services: context', () => {
  afterEach(cleanup);

  it('hands theme tokens to the widget, which applies them as CSS custom properties', async () => {
    const canvas = createCanvas();
    const slot = await mountServices(canvas, 'alpha');
    const view = nextEvent<View>(canvas.host, 'alpha.echo.context');
    command(canvas.host, slot, { cmd: 'context' });
    const { data } = await view;
    expect(data.context).to.include({ appId: 'alpha', slotId: slot, theme: 'light' });
    expect(data.context.tokens).to.deep.equal(THEME_TOKENS.light);
    expect(data.accent).to.equal(THEME_TOKENS.light['--mc-accent']);
    expect(data.scheme).to.equal('light');
  });

  it('pushes theme, user and token changes to every connected widget', async () => {
    const canvas = createCanvas();
    const a = await mountServices(canvas, 'alpha');
    const b = await mountServices(canvas, 'beta');
    const seenA = nextContext(canvas.host, 'alpha');
    const seenB = nextContext(canvas.host, 'beta');
    // The push races nothing: the host's subscriptions are in the broker before it starts.
    await Promise.all([seenA.ready, seenB.ready]);
    canvas.host.setContext({
      theme: 'dark',
      locale: 'de-DE',
      user: { id: 'u1', name: 'Ada' },
      tokens: { '--mc-accent': '#ff0000' },
    });
    for (const [seen, slot] of [
      [seenA, a],
      [seenB, b],
    ] as const) {
      const data = await seen.view;
      expect(data.context).to.include({ slotId: slot, theme: 'dark', locale: 'de-DE' });
      expect(data.context.user).to.deep.equal({ id: 'u1', name: 'Ada' });
      expect(data.context.tokens!['--mc-bg']).to.equal(THEME_TOKENS.dark['--mc-bg']);
      expect(data.accent).to.equal('#ff0000');
      expect(data.scheme).to.equal('dark');
    }
    // A widget mounted later starts with the new context.
    const c = await mountServices(canvas, 'gamma');
    const view = nextEvent<View>(canvas.host, 'gamma.echo.context');
    command(canvas.host, c, { cmd: 'context' });
    expect((await view).data.context).to.include({ theme: 'dark', locale: 'de-DE' });
  });

  it('refuses a bad context change and keeps the old one', () => {
    const canvas = createCanvas();
    const attempts: unknown[] = [
      { theme: 'neon' },
      { tokens: { '--evil': 'red' } },
      { tokens: { '--mc-accent': 'red; } body { display: none' } },
      { tokens: { '--mc-accent': '</style><script>' } },
      { user: { id: 'u1' } },
      { locale: 'en_US; drop' },
      { appId: 'calendar' },
    ];
    for (const patch of attempts) {
      let error: unknown;
      try {
        canvas.host.setContext(patch as never);
      } catch (e) {
        error = e;
      }
      expect(error, JSON.stringify(patch)).to.be.instanceOf(McError);
      expect((error as McError).code).to.equal('INVALID_ARGUMENT');
    }
    const context = canvas.host.contextFor('alpha', 's1');
    expect(context).to.include({ theme: 'light' });
    expect(context.tokens).to.deep.equal(THEME_TOKENS.light);
  });
});
