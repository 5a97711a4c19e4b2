import { expect } from '@open-wc/testing';

import type { McError } from '../../sdk/index.ts';
import type { McCanvas } from '../../shell/elements/mc-canvas.ts';
import { cleanup, createCanvas, fixtureUrl, mountDriven, nextEvent } from '../helpers/canvas.ts';

/** Mounts the callee fixture as app `id` and resolves with its slot once it is connected. */
async function mountCallee(canvas: McCanvas, id: string, teardown = 'flush'): Promise<string> {
  canvas.host.register({
    id,
    name: id,
    url: fixtureUrl(`callee.html?teardown=${teardown}`),
    publishes: [`${id}.callee.*`, `${id}.teardown.*`],
  });
  const ready = nextEvent<string>(canvas.host, `${id}.callee.ready`);
  const slotId = canvas.mount({ app: id, x: 0, y: 0, width: 100, height: 100 });
  expect((await ready).data).to.equal(slotId);
  return slotId;
}

const code = (promise: Promise<unknown>) =>
  promise.then(
    () => 'resolved',
    (error: McError) => error.code,
  );

describe('host → widget calls and the teardown notice', function () {
  this.timeout(60_000);
  // WebKitGTK, full suite only (once on 2026-12-03): the pagehide test's widget never said
  // ready within 20 s. Not yet explained (issue 14); one retry there, stated.
  if (!navigator.userAgent.includes('Chrome/') && !navigator.userAgent.includes('Firefox/'))
    this.retries(1);
  afterEach(cleanup);

  it('calls a method the widget handles and gets its answer, or its refusal', async () => {
    const canvas = createCanvas();
    const slotId = await mountCallee(canvas, 'callee');
    const frame = canvas.frame(slotId)!;
    expect(await frame.call('echo', [1, { a: 'b' }])).to.deep.equal([1, { a: 'b' }]);
    expect(await code(frame.call('missing'))).to.equal('NOT_FOUND');
    expect(await code(frame.call('fail'))).to.equal('CALL_FAILED');
    expect(await code(frame.call('refuse'))).to.equal('NOT_PERMITTED');
    // A widget that handles no host calls at all (no handle() imported) refuses likewise.
    const driven = await mountDriven(canvas, 'alpha');
    expect(await code(canvas.frame(driven)!.call('echo'))).to.equal('NOT_FOUND');
  });

  it('rejects a call with CALL_TIMEOUT at its deadline, and with APP_DISCONNECTED when the session ends', async () => {
    const canvas = createCanvas({ teardownGraceMs: 100 });
    const slotId = await mountCallee(canvas, 'callee');
    const frame = canvas.frame(slotId)!;
    expect(await code(frame.call('never', [], { timeoutMs: 200 }))).to.equal('CALL_TIMEOUT');
    const pending = code(frame.call('never', [], { timeoutMs: 60_000 }));
    expect((await canvas.host.counters()).pendingCalls).to.be.at.least(1);
    await canvas.unmount(slotId);
    expect(await pending).to.equal('APP_DISCONNECTED');
    expect(await code(frame.call('echo'))).to.equal('APP_DISCONNECTED');
    let counters = await canvas.host.counters();
    for (let i = 0; i < 50 && counters.ports !== 1; i++) counters = await canvas.host.counters();
    expect(counters).to.deep.equal({ ports: 1, sessions: 0, pendingCalls: 0 });
  });

  it('tells a widget it is about to be unmounted, and delivers what it publishes then', async () => {
    const canvas = createCanvas();
    const slotId = await mountCallee(canvas, 'callee');
    const told = nextEvent<string>(canvas.host, 'callee.teardown.unmount');
    await told.ready;
    const gone = canvas.unmount(slotId);
    // Gone from the layout at once, but its frame stays (inert) while the widget is told.
    await canvas.updateComplete;
    expect(canvas.layout).to.deep.equal([]);
    expect(canvas.frame(slotId)).not.to.equal(null);
    // What it published then, from its live session, is delivered.
    expect((await told).data).to.equal(slotId);
    await gone;
    expect(canvas.frame(slotId)).to.equal(null);
  });

  it('does not wait for a widget that never answers its teardown beyond the grace', async () => {
    // Without the grace the unmount would never finish: the handler never settles.
    const canvas = createCanvas({ teardownGraceMs: 150 });
    const hung = await mountCallee(canvas, 'hung', 'hang');
    const frame = canvas.frame(hung)!;
    expect(await frame.teardown()).to.equal(false);
    await canvas.unmount(hung);
    expect(canvas.frame(hung)).to.equal(null);
    // The control: a widget that answers is told so.
    const good = await mountCallee(canvas, 'callee');
    expect(await canvas.frame(good)!.teardown()).to.equal(true);
  });

  it('tells every widget when the page hides', async () => {
    const canvas = createCanvas();
    const { host } = canvas;
    const slotId = await mountCallee(canvas, 'callee');
    const told = nextEvent<string>(host, 'callee.teardown.pagehide');
    await told.ready;
    dispatchEvent(new PageTransitionEvent('pagehide', { persisted: false }));
    expect((await told).data).to.equal(slotId);
    expect(canvas.frame(slotId)!.status.state).to.equal('connected');
  });
});
