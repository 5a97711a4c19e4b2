import { expect } from '@open-wc/testing';

import type { StateVersion } from '../../sdk/client.ts';
import { PageStore } from '../../shell/bridge/page-store.ts';
import { WindowBridge, type MicroappEventDetail } from '../../shell/bridge/window-bridge.ts';
import { StateSync } from '../../shell/store/state-sync.ts';
import {
  cleanup,
  command,
  createCanvas,
  drivenManifest,
  mountDriven,
  nextEvent,
} from '../helpers/canvas.ts';

const closers: { close(): void }[] = [];
function track<T extends { close(): void }>(thing: T): T {
  closers.push(thing);
  return thing;
}

/** Resolves with the first state of `app` on `host` that `accept` takes. */
function stateWhere(
  canvas: ReturnType<typeof createCanvas>,
  app: string,
  accept: (s: StateVersion) => boolean,
): Promise<StateVersion> {
  return new Promise((resolve) => {
    const stop = canvas.host.state.watch(app, (s) => {
      if (!accept(s)) return;
      stop();
      resolve(s);
    });
  });
}

describe('StateSync (public state across tabs)', () => {
  afterEach(() => {
    for (const c of closers.splice(0)) c.close();
    cleanup();
  });

  it('puts a widget’s state set in one tab into the other tab’s broker, where its readers see it', async () => {
    const a = createCanvas();
    const b = createCanvas();
    const alphaA = await mountDriven(a, 'alpha');
    b.host.register(drivenManifest('alpha'));
    const betaB = await mountDriven(b, 'beta', { reads: ['alpha'] });
    track(new StateSync(a.host, { apps: ['alpha'], id: 'sync-1' }));
    track(new StateSync(b.host, { apps: ['alpha'], id: 'sync-1' }));

    const seenByBeta = nextEvent<StateVersion>(
      b.host,
      'beta.echo.state',
      (e) => (e.data.value as { n?: number } | null)?.n === 2,
    );
    command(b.host, betaB, { cmd: 'watch', app: 'alpha' });
    await nextEvent(b.host, 'beta.echo.state');
    command(a.host, alphaA, { cmd: 'set', value: { n: 2 } });
    expect((await seenByBeta).data.value).to.deep.equal({ n: 2 });
    expect((await b.host.state.get('alpha')).value).to.deep.equal({ n: 2 });
  });

  it('gives a tab that opens later the current values, and settles concurrent sets on one value', async () => {
    const a = createCanvas();
    const alphaA = await mountDriven(a, 'alpha');
    track(new StateSync(a.host, { apps: ['alpha'], id: 'sync-2' }));
    command(a.host, alphaA, { cmd: 'set', value: 'first' });
    await stateWhere(a, 'alpha', (s) => s.value === 'first');

    const b = createCanvas();
    const alphaB = await mountDriven(b, 'alpha');
    track(new StateSync(b.host, { apps: ['alpha'], id: 'sync-2' }));
    await stateWhere(b, 'alpha', (s) => s.value === 'first');

    // Both widgets set at once: each tab ends with the same value (latest (at, tab) wins).
    command(a.host, alphaA, { cmd: 'set', value: 'from-a' });
    command(b.host, alphaB, { cmd: 'set', value: 'from-b' });
    await stateWhere(a, 'alpha', (s) => s.value !== 'first');
    await stateWhere(b, 'alpha', (s) => s.value !== 'first');
    const settled = async () => {
      for (let i = 0; i < 100; i++) {
        const [sa, sb] = await Promise.all([a.host.state.get('alpha'), b.host.state.get('alpha')]);
        if (sa.value === sb.value) return sa.value;
      }
      throw new Error('tabs never agreed');
    };
    expect(['from-a', 'from-b']).to.include(await settled());
  });

  it('refuses what another tab relays past the limits (size, depth, unknown apps)', async () => {
    const b = createCanvas();
    b.host.register(drivenManifest('alpha', { limits: { maxMessageBytes: 1024, maxDepth: 4 } }));
    track(new StateSync(b.host, { apps: ['alpha', 'nope'], id: 'sync-3' }));
    expect(await b.host.adoptState('alpha', JSON.stringify('x'.repeat(2000)))).to.equal(false);
    expect(await b.host.adoptState('alpha', '[[[[[[1]]]]]]')).to.equal(false);
    expect(await b.host.adoptState('alpha', '{not json')).to.equal(false);
    expect(await b.host.adoptState('nope', '1')).to.equal(false);

    const forger = new BroadcastChannel('microcanvas-state:sync-3');
    try {
      const relay = (json: string, at: number) =>
        forger.postMessage({
          type: 'save',
          id: 'sync-3',
          state: { v: 2, states: { alpha: { json, at, tab: 'f' } } },
        });
      relay('"x"'.repeat(30_000), 1);
      relay('{"ok":1}', 2);
      const state = await stateWhere(b, 'alpha', (s) => s.version > 0);
      expect(state).to.include({ version: 1 });
      expect(state.value).to.deep.equal({ ok: 1 });
    } finally {
      forger.close();
    }
  });
});

describe('WindowBridge', () => {
  afterEach(() => {
    for (const c of closers.splice(0)) c.close();
    cleanup();
  });

  it('mirrors the chosen topics as microapp:<topic> events on window, and nothing else', async () => {
    const canvas = createCanvas();
    const slotId = await mountDriven(canvas, 'alpha');
    const bridge = track(new WindowBridge(canvas.host));
    await bridge.mirror(['alpha.echo.mirrored']);
    const other: string[] = [];
    const onOther = (e: Event) => other.push(e.type);
    addEventListener('microapp:alpha.echo.other', onOther);
    const heard = new Promise<CustomEvent<MicroappEventDetail>>((resolve) =>
      addEventListener('microapp:alpha.echo.mirrored', (e) => resolve(e as CustomEvent), {
        once: true,
      }),
    );
    try {
      command(canvas.host, slotId, { cmd: 'publish', topic: 'alpha.echo.other', data: 0 });
      command(canvas.host, slotId, { cmd: 'publish', topic: 'alpha.echo.mirrored', data: 42 });
      const event = await heard;
      expect(event.detail).to.include({ topic: 'alpha.echo.mirrored', source: 'alpha', data: 42 });
      expect(other).to.deep.equal([]);
    } finally {
      removeEventListener('microapp:alpha.echo.other', onOther);
    }
  });

  it('lets page code publish on host.* topics only', async () => {
    const canvas = createCanvas();
    const slotId = await mountDriven(canvas, 'alpha');
    const bridge = track(new WindowBridge(canvas.host));
    const attempt = (topic: string) => {
      try {
        bridge.publish(topic as `${string}.${string}.${string}`, 1);
      } catch (error) {
        return (error as { code?: string }).code;
      }
      return 'published';
    };
    expect(attempt('alpha.echo.ready')).to.equal('NOT_PERMITTED');
    expect(attempt('host..x')).to.equal('TOPIC_INVALID');
    const echoed = nextEvent(canvas.host, 'alpha.echo.page');
    bridge.publish('host.test.cmd', { to: slotId, cmd: 'publish', topic: 'alpha.echo.page' });
    expect((await echoed).source).to.equal('alpha');
  });
});

describe('PageStore', () => {
  afterEach(() => {
    for (const c of closers.splice(0)) c.close();
    cleanup();
  });

  it('calls a selector’s listener when its value changes, and only then', async () => {
    const canvas = createCanvas();
    canvas.host.register(drivenManifest('alpha'));
    const store = track(new PageStore(canvas, ['alpha']));
    const counts: number[] = [];
    store.select(
      (s) => s.layout.length,
      (n) => counts.push(n),
    );
    const opens: unknown[] = [];
    store.select(
      (s) => (s.states.alpha?.value as { open?: number } | null | undefined)?.open,
      (open) => opens.push(open),
      { fireImmediately: false },
    );
    const slotId = await mountDriven(canvas, 'alpha');
    expect(counts).to.deep.equal([0, 1]);
    canvas.updateSlot(slotId, { x: 20 });
    expect(counts).to.deep.equal([0, 1], 'a move does not change the count');
    command(canvas.host, slotId, { cmd: 'set', value: { open: 3 } });
    await stateWhere(canvas, 'alpha', (s) => s.version === 1);
    await Promise.resolve();
    expect(opens).to.deep.equal([3]);
    expect(store.get().layout[0]).to.include({ x: 20 });
  });
});
