import { expect } from '@open-wc/testing';

import { Broker } from '../../shell/broker/broker.ts';
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

const events = (port: FakePort) =>
  port
    .ops()
    .filter((o) => o.op === 'evt')
    .map((o) => o.topic);
const errors = (port: FakePort) => port.ops().filter((o) => o.op === 'err');

describe('Broker live permissions (revoke)', () => {
  let broker: Broker;

  beforeEach(() => {
    broker = new Broker({}, () => 0);
    broker.register(manifest('cal', { publishes: ['cal.*.*'], reads: ['todo'] }));
    broker.register(manifest('todo', { subscribes: ['cal.*.*'], publishes: ['todo.item.*'] }));
  });

  it('ends subscriptions that could hear a revoked pattern, and only those', async () => {
    const cal = attach(broker, 's1', 'cal');
    const todo = attach(broker, 's2', 'todo');
    send(
      todo,
      { op: 'sub', id: 1, pattern: 'cal.date.*' },
      { op: 'sub', id: 2, pattern: 'cal.event.*' },
    );
    await settle();
    send(cal, { op: 'pub', topic: 'cal.date.selected', data: 1 });
    await settle();
    broker.revoke('todo', [{ subscribe: 'cal.date.selected' }]);
    send(
      cal,
      { op: 'pub', topic: 'cal.date.selected', data: 2 },
      { op: 'pub', topic: 'cal.event.created', data: 3 },
    );
    send(todo, { op: 'sub', id: 3, pattern: 'cal.*.*' }, { op: 'sub', id: 4, pattern: 'cal.x.y' });
    await settle();
    // Before the revocation it heard the date; after, only the other subscription hears.
    expect(events(todo)).to.deep.equal(['cal.date.selected', 'cal.event.created']);
    expect(errors(todo)).to.deep.equal([
      {
        op: 'err',
        id: 1,
        code: 'NOT_PERMITTED',
        message: 'subscribe "cal.date.*": revoked',
        operation: 'subscribe',
        target: 'cal.date.*',
      },
      // A new subscription overlapping the revoked pattern is refused; others are not.
      {
        op: 'err',
        id: 3,
        code: 'NOT_PERMITTED',
        message: 'subscribe "cal.*.*": not permitted or does not exist',
        operation: 'subscribe',
        target: 'cal.*.*',
      },
    ]);
    expect(todo.ops()).to.deep.include({ op: 'ok', id: 4 });
    expect(broker.stats().subscriptions).to.equal(2);

    broker.revoke('todo', []);
    send(todo, { op: 'sub', id: 5, pattern: 'cal.date.*' });
    await settle();
    send(cal, { op: 'pub', topic: 'cal.date.selected', data: 4 });
    await settle();
    expect(todo.ops()).to.deep.include({ op: 'ok', id: 5 });
    expect(events(todo).at(-1)).to.equal('cal.date.selected');
  });

  it('refuses a revoked publish even for a topic it had already published', async () => {
    const cal = attach(broker, 's1', 'cal');
    const todo = attach(broker, 's2', 'todo');
    send(todo, { op: 'sub', id: 1, pattern: 'cal.*.*' });
    send(cal, { op: 'pub', topic: 'cal.date.selected' });
    await settle();
    broker.revoke('cal', [{ publish: 'cal.date.*' }]);
    send(cal, { op: 'pub', topic: 'cal.date.selected' }, { op: 'pub', topic: 'cal.event.created' });
    await settle();
    expect(events(todo)).to.deep.equal(['cal.date.selected', 'cal.event.created']);
    expect(errors(cal).map((e) => [e.code, e.topic])).to.deep.equal([
      ['NOT_PERMITTED', 'cal.date.selected'],
    ]);
  });

  it('ends a watch of a revoked read and refuses reads, over a new session too', async () => {
    const cal = attach(broker, 's1', 'cal');
    send(cal, { op: 'watch', id: 1, app: 'todo' });
    await settle();
    broker.revoke('cal', [{ read: 'todo' }]);
    const todo = attach(broker, 's2', 'todo');
    send(todo, { op: 'set', value: { open: 1 } });
    await settle();
    const states = cal.ops().filter((o) => o.op === 'state');
    expect(states.map((s) => s.version)).to.deep.equal([0]);
    expect(errors(cal)).to.deep.equal([
      {
        op: 'err',
        id: 1,
        code: 'NOT_PERMITTED',
        message: 'state.watch "todo": revoked',
        operation: 'state.watch',
        target: 'todo',
      },
    ]);
    // A reload is a new session of the same app: the revocation holds.
    const again = attach(broker, 's1', 'cal');
    send(again, { op: 'get', id: 2, app: 'todo' });
    await settle();
    expect(errors(again).map((e) => e.code)).to.deep.equal(['NOT_PERMITTED']);
  });

  it('never widens past the manifest, and leaves other apps alone', async () => {
    broker.register(manifest('other', { subscribes: ['cal.*.*'] }));
    broker.revoke('todo', [{ subscribe: 'cal.*.*' }]);
    const other = attach(broker, 's3', 'other');
    const todo = attach(broker, 's2', 'todo');
    send(other, { op: 'sub', id: 1, pattern: 'cal.date.*' });
    send(todo, { op: 'sub', id: 1, pattern: 'cal.date.*' }, { op: 'sub', id: 2, pattern: 'x.y.z' });
    await settle();
    expect(other.ops()).to.deep.include({ op: 'ok', id: 1 });
    expect(errors(todo).map((e) => e.id)).to.deep.equal([1, 2]);
  });
});
