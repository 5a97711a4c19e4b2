import { expect } from '@open-wc/testing';

import { Broker } from '../../shell/broker/broker.ts';
import { TAP_READ_MAX } from '../../shell/broker/tap.ts';
import type { ManifestInput } from '../../sdk/protocol/index.ts';
import { fakePortPair, settle, type FakePort } from '../helpers/fake-port.ts';

function manifest(id: string, extra: Partial<ManifestInput> = {}): ManifestInput {
  return { id, name: id, url: 'https://apps.example/a', ...extra };
}

function attach(broker: Broker, id: string, appId: string): FakePort {
  const [brokerSide, clientSide] = fakePortPair();
  broker.attach(id, appId, brokerSide);
  return clientSide;
}

function send(port: FakePort, ...ops: unknown[]): void {
  port.postMessage(JSON.stringify(ops));
}

describe('Broker tap (devtools)', () => {
  let broker: Broker;
  let cal: FakePort;
  let todo: FakePort;

  beforeEach(async () => {
    broker = new Broker({}, () => 0);
    broker.register(
      manifest('cal', {
        publishes: ['cal.*.*'],
        limits: { eventsPerSecond: 10_000, burst: 10_000 },
      }),
    );
    broker.register(manifest('todo', { subscribes: ['cal.*.*'] }));
    cal = attach(broker, 'cal-1', 'cal');
    todo = attach(broker, 'todo-1', 'todo');
    send(todo, { op: 'sub', id: 1, pattern: 'cal.date.*' });
    await settle();
  });

  it('records nothing while closed, then each decision with where it went', async () => {
    send(cal, { op: 'pub', topic: 'cal.date.selected', data: 'before' });
    await settle();
    expect(broker.tapRead(0)).to.equal(undefined);
    broker.tap(true);
    send(
      cal,
      { op: 'pub', topic: 'cal.date.selected', data: { day: 3 } },
      { op: 'pub', topic: 'cal.event.created' },
      { op: 'pub', topic: 'todo.item.added' },
      { op: 'set', value: { open: 1 } },
    );
    await settle();
    const report = broker.tapRead(0)!;
    const entries = report.entries.map(({ seq: _seq, time: _time, ...rest }) => rest);
    expect(entries).to.deep.equal([
      {
        kind: 'event',
        app: 'cal',
        slot: 'cal-1',
        topic: 'cal.date.selected',
        bytes: 72,
        data: '{"day":3}',
        to: ['todo-1'],
      },
      {
        kind: 'event',
        app: 'cal',
        slot: 'cal-1',
        topic: 'cal.event.created',
        bytes: 55,
        to: [],
      },
      {
        kind: 'refused',
        app: 'cal',
        slot: 'cal-1',
        topic: 'todo.item.added',
        reason: entries[2]!.reason,
      },
      { kind: 'state', app: 'cal', slot: 'cal-1', version: 1 },
    ]);
    expect(entries[2]!.reason).to.match(/^not-permitted: /);
    expect(report.states).to.deep.equal([{ app: 'cal', version: 1, preview: '{"open":1}' }]);
    const conns = Object.fromEntries(report.connections.map((c) => [c.slot, c]));
    expect(conns['cal-1']).to.include({ published: 2, received: 0, subscriptions: 0 });
    expect(conns['todo-1']).to.include({ published: 0, received: 1, subscriptions: 1 });
    // The next read returns only what is new; closing forgets everything.
    expect(broker.tapRead(report.seq)!.entries).to.deep.equal([]);
    broker.tap(false);
    expect(broker.tapRead(0)).to.equal(undefined);
  });

  it('returns at most the newest entries per read and says how many it missed', async () => {
    broker.tap(true);
    const burst = Array.from({ length: TAP_READ_MAX + 50 }, (_, i) => ({
      op: 'pub',
      topic: 'cal.date.selected',
      data: i,
    }));
    send(cal, ...burst);
    await settle();
    const report = broker.tapRead(0)!;
    expect(report.entries).to.have.length(TAP_READ_MAX);
    expect(report.missed).to.equal(50);
    expect(report.entries.at(-1)!.data).to.equal(String(TAP_READ_MAX + 49));
  });
});
