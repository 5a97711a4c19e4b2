import { expect } from '@open-wc/testing';

import { McError } from '../../sdk/protocol/index.ts';
import {
  cleanup,
  createCanvas,
  drivenManifest,
  mountDriven,
  waitForStatus,
} from '../helpers/canvas.ts';
import { spyOnWorkers } from '../helpers/worker-spy.ts';

describe('<mc-canvas>', () => {
  afterEach(cleanup);

  it('renders each slot at its position and size, labelled with the app name', async () => {
    const canvas = createCanvas();
    canvas.host.register(drivenManifest('alpha'));
    const slotId = canvas.mount({ app: 'alpha', x: 30, y: 40, width: 250, height: 160 });
    await canvas.updateComplete;
    const frame = canvas.frame(slotId)!;
    const box = frame.getBoundingClientRect();
    const origin = canvas.getBoundingClientRect();
    expect(box.left - origin.left).to.equal(30);
    expect(box.top - origin.top).to.equal(40);
    expect(box.width).to.equal(250);
    expect(box.height).to.equal(160);
    expect(frame.renderRoot.querySelector('.name')!.textContent).to.equal('Driven alpha');
    expect(frame.renderRoot.querySelector('iframe')!.title).to.equal('Driven alpha');
  });

  it('starts no broker of its own when a host is assigned before first use', () => {
    const workers = spyOnWorkers();
    try {
      // With options, createCanvas assigns `canvas.host = new Host(options)`.
      const canvas = createCanvas({ brokerTimeoutMs: 5000 });
      canvas.host.register(drivenManifest('alpha'));
      canvas.mount({ app: 'alpha', x: 0, y: 0, width: 200, height: 120 });
      const brokers = workers.created.filter((w) => w.name === 'microcanvas-broker');
      // The assigned host's broker, and no other (assigning once made and killed a second).
      expect(brokers).to.have.length(1);
    } finally {
      workers.restore();
    }
  });

  it('throws a typed error for an unknown app or a bad placement', () => {
    const canvas = createCanvas();
    canvas.host.register(drivenManifest('alpha'));
    const attempt = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        return error as McError;
      }
      throw new Error('did not throw');
    };
    expect(
      attempt(() => canvas.mount({ app: 'nope', x: 0, y: 0, width: 1, height: 1 })).code,
    ).to.equal('UNKNOWN_APP');
    const bad = attempt(() =>
      canvas.mount({ app: 'alpha', x: Number.NaN, y: 0, width: 1, height: 1 }),
    );
    expect(bad).to.be.instanceOf(McError);
    expect(bad.code).to.equal('INVALID_ARGUMENT');
    expect(canvas.layout).to.have.length(0);
  });

  it('releases the broker connection on unmount', async () => {
    const canvas = createCanvas();
    const slotId = await mountDriven(canvas, 'alpha');
    expect((await canvas.host.stats()).connections).to.equal(2);
    // The frame goes once the widget had its teardown notice (it has no handler: at once).
    await canvas.unmount(slotId);
    expect(canvas.frame(slotId)).to.equal(null);
    // detach travels to the Worker asynchronously; poll the counter rather than sleep.
    let stats = await canvas.host.stats();
    for (let i = 0; i < 50 && stats.connections !== 1; i++) stats = await canvas.host.stats();
    expect(stats).to.include({ connections: 1 });
  });

  it('fires mc-layout-change synchronously for every kind of change, frames kept by slot id', async () => {
    const canvas = createCanvas();
    canvas.host.register(drivenManifest('alpha'));
    const seen: string[] = [];
    canvas.addEventListener('mc-layout-change', (e) => seen.push(`${e.reason}:${e.layout.length}`));
    const slotId = canvas.mount({ app: 'alpha', x: 0, y: 0, width: 200, height: 120 });
    await canvas.updateComplete;
    const frame = canvas.frame(slotId);
    canvas.layout = [{ ...canvas.layout[0]!, x: 40 }];
    await canvas.updateComplete;
    expect(canvas.frame(slotId)).to.equal(frame, 'same slot id, same frame');
    canvas.updateSlot(slotId, { config: { a: 1 } });
    canvas.unmount(slotId);
    expect(seen).to.deep.equal(['mount:1', 'replace:1', 'configure:1', 'unmount:0']);
  });

  it('fires mc-app-status and mc-app-connected from the slot', async () => {
    const canvas = createCanvas();
    canvas.host.register(drivenManifest('alpha'));
    const states: string[] = [];
    canvas.addEventListener('mc-app-status', (e) => states.push(e.status.state));
    const connected = new Promise<string>((resolve) =>
      canvas.addEventListener('mc-app-connected', (e) => resolve(e.appId), { once: true }),
    );
    const slotId = canvas.mount({ app: 'alpha', x: 0, y: 0, width: 100, height: 100 });
    expect(await connected).to.equal('alpha');
    await waitForStatus(canvas, slotId, 'connected');
    expect(states).to.deep.equal(['connected']);
  });
});
