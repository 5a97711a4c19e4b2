import { expect } from '@open-wc/testing';

import { cleanup, createCanvas, fixtureUrl, nextEvent } from '../helpers/canvas.ts';

interface Outcome {
  value?: unknown;
  code?: string;
  keys?: string[];
}

describe('Host services: a widget without the SDK', () => {
  afterEach(cleanup);

  it('gets nothing before hello, and rights only from the registered manifest (CAP-6)', async () => {
    const canvas = createCanvas();
    canvas.host.register({
      id: 'early',
      name: 'Early',
      url: fixtureUrl('services-early.html'),
      publishes: ['early.echo.*'],
      services: ['notify', 'storage'],
      storage: { quotaBytes: 1000 },
    });
    const report = nextEvent<{ before: Record<string, Outcome>; after: Record<string, Outcome> }>(
      canvas.host,
      'early.echo.report',
      () => true,
      // Seven calls on a raw link plus a handshake; generous for a loaded machine.
      45_000,
    );
    canvas.mount({ app: 'early', x: 0, y: 0, width: 200, height: 100 });
    const { before, after } = (await report).data;
    // Before hello there is no session: refused, nothing shown, nothing stored.
    expect(before.notify).to.deep.equal({
      code: 'APP_DISCONNECTED',
      keys: ['code', 'message', 'name'],
    });
    expect(before.storageSet!.code).to.equal('APP_DISCONNECTED');
    expect(await canvas.host.services.storage.keys('early')).to.deep.equal([]);
    // After hello: what the registered manifest grants works; what the widget's own
    // "manifest" in hello claimed does not exist.
    expect(after.notify).to.deep.equal({ value: null });
    expect(after.modal!.code).to.equal('METHOD_NOT_FOUND');
    expect(after.resize!.code).to.equal('METHOD_NOT_FOUND');
    expect(after.inherited!.code).to.equal('METHOD_NOT_FOUND');
    expect(after.storageBig).to.deep.equal({
      code: 'QUOTA_EXCEEDED',
      keys: ['code', 'message', 'name'],
    });
    expect(after.protoKey).to.deep.equal({ value: null });
    const texts = canvas.host.services.toasts.toasts.map((t) => `${t.appName}: ${t.text}`);
    expect(texts).to.deep.equal(['Early: after hello']);
  });
});
