import { expect } from '@open-wc/testing';

import '../../shell/elements/mc-catalog.ts';
import { McAppUpdatedEvent } from '../../shell/host/host-events.ts';
import {
  cleanup,
  collect,
  command,
  createCanvas,
  drivenManifest,
  mountDriven,
  nextEvent,
  waitForStatus,
} from '../helpers/canvas.ts';

/**
 * What a registry's health and manifest updates do on the page (docs/backends.md,
 * "Registry"): an unavailable app is shown so in the catalog and not mounted until it is
 * available again; a changed manifest remounts the app's widgets with the new rights.
 */
describe('app availability and manifest updates', () => {
  afterEach(cleanup);

  it('shows an unavailable app in the catalog with its Add button disabled', async () => {
    const canvas = createCanvas();
    canvas.host.register(drivenManifest('alpha'));
    canvas.host.register(drivenManifest('beta'));
    canvas.host.setAvailable('beta', false);
    const catalog = document.createElement('mc-catalog');
    catalog.canvas = canvas;
    document.body.append(catalog);
    try {
      await catalog.updateComplete;
      const items = [...catalog.renderRoot.querySelectorAll('li')];
      expect(items.map((li) => li.querySelector('[part="unavailable"]') !== null)).to.deep.equal([
        false,
        true,
      ]);
      const buttons = items.map((li) => li.querySelector('button')!);
      expect(buttons.map((b) => b.disabled)).to.deep.equal([false, true]);
      // Health comes back: the catalog follows the host's event without a refresh() call.
      canvas.host.setAvailable('beta', true);
      await catalog.updateComplete;
      expect(catalog.renderRoot.querySelector('[part="unavailable"]')).to.equal(null);
      expect(catalog.renderRoot.querySelectorAll('button')[1]!.disabled).to.equal(false);
    } finally {
      catalog.remove();
    }
  });

  it('does not mount an unavailable app, and mounts it once it is available', async () => {
    const canvas = createCanvas();
    canvas.host.register(drivenManifest('alpha'));
    canvas.host.setAvailable('alpha', false);
    const slotId = canvas.mount({ app: 'alpha', x: 0, y: 0, width: 200, height: 120 });
    const status = await waitForStatus(canvas, slotId, 'error');
    expect(status).to.include({ code: 'NOT_READY' });
    expect((await canvas.host.counters()).sessions).to.equal(0);
    const ready = nextEvent(canvas.host, 'alpha.echo.ready');
    canvas.host.setAvailable('alpha', true);
    expect((await ready).data).to.equal(slotId);
    await waitForStatus(canvas, slotId, 'connected');
  });

  it('mounts an unavailable app when the host says so', async () => {
    const canvas = createCanvas({ mountUnavailable: true });
    canvas.host.register(drivenManifest('alpha'));
    canvas.host.setAvailable('alpha', false);
    const slotId = canvas.mount({ app: 'alpha', x: 0, y: 0, width: 200, height: 120 });
    await waitForStatus(canvas, slotId, 'connected');
  });

  it('keeps a running widget when its app becomes unavailable', async () => {
    const canvas = createCanvas();
    const slotId = await mountDriven(canvas, 'alpha');
    canvas.host.setAvailable('alpha', false);
    await canvas.updateComplete;
    expect(canvas.frame(slotId)!.status.state).to.equal('connected');
  });

  it('remounts the widgets of an app whose manifest changed, with the new rights', async () => {
    const canvas = createCanvas();
    const slotId = await mountDriven(canvas, 'alpha', { publishes: ['alpha.items.*'] });
    const updates: string[] = [];
    canvas.host.addEventListener(McAppUpdatedEvent.type, (e) => updates.push(e.change));
    // Allowed under the first manifest.
    const first = nextEvent(canvas.host, 'alpha.items.added');
    command(canvas.host, slotId, { cmd: 'publish', topic: 'alpha.items.added', data: 1 });
    expect((await first).data).to.equal(1);

    // The same manifest again changes nothing.
    canvas.host.register(drivenManifest('alpha', { publishes: ['alpha.items.*'] }));
    expect(updates).to.deep.equal([]);

    const ready = nextEvent(canvas.host, 'alpha.echo.ready');
    canvas.host.register(drivenManifest('alpha'));
    expect(updates).to.deep.equal(['manifest']);
    // A new mount of the same slot says it is ready again.
    expect((await ready).data).to.equal(slotId);
    await waitForStatus(canvas, slotId, 'connected');

    // The new session holds the narrower rights: the publish is refused, never delivered.
    const delivered = collect(canvas.host, 'alpha.items.added');
    const refused = nextEvent(canvas.host, 'alpha.echo.error');
    command(canvas.host, slotId, { cmd: 'publish', topic: 'alpha.items.added', data: 2 });
    expect(((await refused).data as { code: string }).code).to.equal('NOT_PERMITTED');
    expect(delivered.events).to.deep.equal([]);
    delivered.stop();
  });
});
