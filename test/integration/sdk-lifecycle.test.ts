import { expect } from '@open-wc/testing';

import type { McEvent } from '../../sdk/index.ts';
import { cleanup, collect, createCanvas, fixtureUrl, nextEvent } from '../helpers/canvas.ts';

interface Done {
  refused: { index: number; code: string } | null;
  contextBefore: string;
  contextAfter: string;
}

/** Registers and mounts the early fixture as `app`; `fill` publishes first try the bound. */
function mountEarly(canvas: ReturnType<typeof createCanvas>, app: string, fill = 0): string {
  canvas.host.register({
    id: app,
    name: `Early ${app}`,
    url: fixtureUrl(`early.html?app=${app}&fill=${fill}`),
    publishes: [`${app}.*.*`],
  });
  return canvas.mount({ app, x: 0, y: 0, width: 200, height: 100 });
}

describe('SDK lifecycle', function () {
  this.timeout(40_000);
  afterEach(cleanup);

  it('sends what a widget publishes before its handshake, in order, once connected', async () => {
    const canvas = createCanvas();
    const early = collect<number>(canvas.host, 'early.seq.early');
    await early.ready;
    const done = nextEvent<Done>(canvas.host, 'early.seq.done');
    mountEarly(canvas, 'early');
    const { data } = await done;
    early.stop();
    expect(early.events.map((e: McEvent<number>) => e.data)).to.deep.equal(
      Array.from({ length: 50 }, (_, i) => i),
    );
    expect(early.events.every((e) => e.source === 'early')).to.equal(true);
    // The state set before the handshake reached the broker too.
    expect((await canvas.host.state.get('early')).value).to.deep.equal({ early: true });
    expect(data.refused).to.equal(null);
    expect(data.contextBefore).to.equal('NOT_READY');
    expect(data.contextAfter).to.equal('early');
  });

  it('bounds the pre-handshake queue with QUEUE_FULL and still sends what it kept', async () => {
    const canvas = createCanvas();
    const fills = collect<number>(canvas.host, 'filler.seq.fill');
    await fills.ready;
    const done = nextEvent<Done>(canvas.host, 'filler.seq.done');
    mountEarly(canvas, 'filler', 300);
    const { data } = await done;
    fills.stop();
    expect(data.refused).to.deep.equal({ index: 256, code: 'QUEUE_FULL' });
    expect(fills.events.map((e) => e.data)).to.deep.equal(Array.from({ length: 256 }, (_, i) => i));
  });

  it('refuses a call to a host method that does not exist like a denied one', async () => {
    const canvas = createCanvas();
    const result = nextEvent<string>(canvas.host, 'caller.call.result');
    mountEarly(canvas, 'caller');
    expect((await result).data).to.equal('NOT_PERMITTED');
  });

  it('tells the widget when the host went away and when it came back', async () => {
    // Half the default beat: the widget's patience (beat × (misses + 2)) is then 2.5 s.
    const beatMs = 500;
    const canvas = createCanvas({ heartbeatIntervalMs: beatMs });
    const statuses = collect<string>(canvas.host, 'pinged.host.status');
    await statuses.ready;
    const done = nextEvent(canvas.host, 'pinged.seq.done');
    mountEarly(canvas, 'pinged');
    await done;
    // Let a few beats reach the widget, then hang this page (the host) past the widget's
    // patience: away after 5 beats without one.
    await new Promise((resolve) => setTimeout(resolve, beatMs * 2.5));
    const end = performance.now() + beatMs * 7;
    while (performance.now() < end) {
      /* the host page is busy */
    }
    const back = nextEvent<string>(
      canvas.host,
      'pinged.host.status',
      (e) => e.data === 'connected',
    );
    await back;
    statuses.stop();
    expect(statuses.events.map((e) => e.data)).to.deep.equal(['away', 'connected']);
  });
});
