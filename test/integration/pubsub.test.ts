import { expect } from '@open-wc/testing';

import { cleanup, command, createCanvas, mountDriven, nextEvent } from '../helpers/canvas.ts';

describe('pub/sub and public state between real cross-site widgets', () => {
  afterEach(cleanup);

  it('delivers an event from one widget to another through the broker', async () => {
    const canvas = createCanvas();
    const { host } = canvas;
    const a = await mountDriven(canvas, 'alpha', { publishes: ['alpha.note.*'] });
    const b = await mountDriven(canvas, 'beta', { subscribes: ['alpha.note.*'] });
    const subscribed = nextEvent(host, 'beta.echo.subscribed');
    command(host, b, { cmd: 'subscribe', pattern: 'alpha.note.*' });
    await subscribed;
    const received = nextEvent<{ topic: string; source: string; data: unknown }>(
      host,
      'beta.echo.received',
    );
    command(host, a, { cmd: 'publish', topic: 'alpha.note.added', data: { text: 'hi' } });
    const event = await received;
    expect(event.data).to.deep.equal({
      topic: 'alpha.note.added',
      source: 'alpha',
      data: { text: 'hi' },
    });
  });

  it('matches `*` wildcards per segment', async () => {
    const canvas = createCanvas();
    const { host } = canvas;
    const a = await mountDriven(canvas, 'alpha', { publishes: ['alpha.*.*'] });
    const b = await mountDriven(canvas, 'beta', { subscribes: ['*.*.*'] });
    const subscribed = nextEvent(host, 'beta.echo.subscribed');
    command(host, b, { cmd: 'subscribe', pattern: '*.note.*' });
    await subscribed;
    const seen: string[] = [];
    const done = nextEvent<{ topic: string }>(host, 'beta.echo.received', (e) => {
      seen.push(e.data.topic);
      return e.data.topic === 'alpha.note.last';
    });
    for (const topic of ['alpha.note.first', 'alpha.todo.skipped', 'alpha.note.last']) {
      command(host, a, { cmd: 'publish', topic });
    }
    await done;
    expect(seen).to.deep.equal(['alpha.note.first', 'alpha.note.last']);
  });

  it('gives a state watcher the snapshot first, then each new version', async () => {
    const canvas = createCanvas();
    const { host } = canvas;
    const a = await mountDriven(canvas, 'alpha');
    const b = await mountDriven(canvas, 'beta', { reads: ['alpha'] });
    command(host, a, { cmd: 'set', value: { open: 3 } });
    const v1 = await host.state.get('alpha').then(async (s) => {
      while (s.version < 1) s = await host.state.get('alpha');
      return s;
    });
    expect(v1).to.deep.equal({ app: 'alpha', version: 1, value: { open: 3 } });
    const versions: number[] = [];
    const second = nextEvent<{ version: number; value: unknown }>(host, 'beta.echo.state', (e) => {
      versions.push(e.data.version);
      return e.data.version === 2;
    });
    command(host, b, { cmd: 'watch', app: 'alpha' });
    await nextEvent(host, 'beta.echo.state', (e) => (e.data as { version: number }).version === 1);
    command(host, a, { cmd: 'set', value: { open: 2 } });
    const event = await second;
    expect(versions).to.deep.equal([1, 2]);
    expect(event.data.value).to.deep.equal({ open: 2 });
  });

  it('refuses a widget reading state its manifest does not list', async () => {
    const canvas = createCanvas();
    const { host } = canvas;
    await mountDriven(canvas, 'alpha');
    const b = await mountDriven(canvas, 'beta');
    const error = nextEvent<{ code: string }>(host, 'beta.echo.error');
    command(host, b, { cmd: 'get', app: 'alpha' });
    expect((await error).data.code).to.equal('NOT_PERMITTED');
  });
});
