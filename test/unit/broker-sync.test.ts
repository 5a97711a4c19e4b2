import { expect } from '@open-wc/testing';

import { Broker } from '../../shell/broker/broker.ts';
import type { ManifestInput, RemoteEvent, SyncedEvent } from '../../sdk/protocol/index.ts';
import { fakePortPair, settle, type FakePort } from '../helpers/fake-port.ts';

const URL_A = 'https://apps.example/a';

function manifest(id: string, extra: Partial<ManifestInput> = {}): ManifestInput {
  return { id, name: id, url: URL_A, ...extra };
}

function attach(broker: Broker, id: string, appId: string): FakePort {
  const [brokerSide, clientSide] = fakePortPair();
  broker.attach(id, appId, brokerSide);
  return clientSide;
}

function send(port: FakePort, ...ops: unknown[]): void {
  port.postMessage(JSON.stringify(ops));
}

const events = (port: FakePort) => port.ops().filter((op) => op.op === 'evt');

/** A remote event of the todo app in space `s1`. */
function remote(offset: number, extra: Partial<RemoteEvent> = {}): RemoteEvent {
  return {
    space: 's1',
    epoch: 'e1',
    offset,
    app: 'todo',
    topic: 'todo.item.completed',
    data: JSON.stringify({ n: offset }),
    ...extra,
  };
}

describe('Broker event sync (manifest sync, server events)', () => {
  let broker: Broker;
  let forwarded: SyncedEvent[][];

  beforeEach(() => {
    forwarded = [];
    broker = new Broker({ forward: (batch) => forwarded.push(batch) });
    broker.register(
      manifest('todo', {
        publishes: ['todo.item.*'],
        sync: { publishes: ['todo.item.completed'], state: true },
      }),
    );
    broker.register(
      manifest('chat', {
        publishes: ['chat.message.sent'],
        subscribes: ['todo.item.*', 'chat.message.sent'],
        sync: { subscribes: ['todo.item.completed'] },
      }),
    );
    // Subscribes to the same topics without syncing them: local events only.
    broker.register(manifest('log', { subscribes: ['todo.item.*'] }));
  });

  it('forwards a synced topic after the publish check, stamped with its app, one batch per turn', async () => {
    const todo = attach(broker, 's1', 'todo');
    send(
      todo,
      { op: 'pub', topic: 'todo.item.completed', data: { id: 1 } },
      { op: 'pub', topic: 'todo.item.added', data: { id: 2 } },
      { op: 'pub', topic: 'chat.message.sent', data: { forged: true } },
      { op: 'pub', topic: 'todo.item.completed' },
    );
    await settle();
    expect(forwarded).to.deep.equal([
      [
        { app: 'todo', topic: 'todo.item.completed', data: '{"id":1}' },
        { app: 'todo', topic: 'todo.item.completed', data: 'null' },
      ],
    ]);
  });

  it('forwards public state only when the manifest syncs it', async () => {
    const todo = attach(broker, 's1', 'todo');
    const chat = attach(broker, 's2', 'chat');
    send(todo, { op: 'set', value: { open: 2 } });
    send(chat, { op: 'set', value: { unread: 1 } });
    await settle();
    expect(forwarded.flat()).to.deep.equal([{ app: 'todo', data: '{"open":2}' }]);
  });

  it("never forwards the host's own events, nor a topic the manifest does not publish", async () => {
    // Syncing beyond the rights is refused at registration…
    expect(() =>
      broker.register(
        manifest('sneak', { publishes: ['sneak.a.b'], sync: { publishes: ['sneak.*.*'] } }),
      ),
    ).to.throw();
    // …and a refused publish is never forwarded, whatever the manifest syncs.
    broker.register(
      manifest('sneak', { publishes: ['sneak.a.b'], sync: { publishes: ['sneak.a.b'] } }),
    );
    const sneak = attach(broker, 's3', 'sneak');
    const [hostSide, host] = fakePortPair();
    broker.attachHost('host', hostSide);
    send(sneak, { op: 'pub', topic: 'sneak.x.y' }, { op: 'pub', topic: 'todo.item.completed' });
    send(host, { op: 'pub', topic: 'todo.item.completed' });
    await settle();
    expect(forwarded.flat()).to.deep.equal([]);
  });

  it('delivers a server event like a local one, only to subscriptions that sync the topic', async () => {
    const chat = attach(broker, 's2', 'chat');
    const log = attach(broker, 's3', 'log');
    const [hostSide, host] = fakePortPair();
    broker.attachHost('host', hostSide);
    send(chat, { op: 'sub', id: 1, pattern: 'todo.item.*' });
    send(log, { op: 'sub', id: 1, pattern: 'todo.item.*' });
    send(host, { op: 'sub', id: 1, pattern: 'todo.*.*' });
    await settle();
    expect(broker.deliver([remote(1)])).to.equal(1);
    await settle();
    const expected = { op: 'evt', topic: 'todo.item.completed', source: 'todo', data: { n: 1 } };
    expect(events(chat)).to.deep.equal([expected]);
    expect(events(host)).to.deep.equal([expected]);
    // `log` subscribes but does not sync: remote events never reach it.
    expect(events(log)).to.deep.equal([]);
    // Nothing that came from the server goes back to it.
    expect(forwarded).to.deep.equal([]);
  });

  it("holds a server event to its app's rights here, and counts each refusal", async () => {
    const chat = attach(broker, 's2', 'chat');
    send(chat, { op: 'sub', id: 1, pattern: 'todo.item.*' });
    await settle();
    const hostile: RemoteEvent[] = [
      // Published by todo here, but not synced by its manifest.
      remote(1, { topic: 'todo.item.added' }),
      // Another app's namespace under todo's name; an app nobody registered.
      remote(2, { topic: 'chat.message.sent' }),
      remote(3, { app: 'ghost', topic: 'ghost.item.completed' }),
      remote(4, { topic: 'todo.item.completed ' }),
      remote(5, { data: 'x'.repeat(70_000) }),
      remote(6, { data: '{' }),
      remote(7, { data: JSON.stringify(JSON.parse('{"__proto__": {"polluted": true}}')) }),
      remote(8, { data: '['.repeat(100) + ']'.repeat(100) }),
      // chat does not sync its state: a state from the server is refused.
      { space: 's1', epoch: 'e1', offset: 9, app: 'chat', data: '{"x":1}' },
      null as unknown as RemoteEvent,
      remote(10, { offset: Number.NaN }),
    ];
    expect(broker.deliver(hostile)).to.equal(1);
    await settle();
    // Only the __proto__ payload is within the rights, and it arrives as plain data.
    expect(events(chat)).to.have.length(1);
    expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
    const refused = broker.violations().filter((v) => v.connection === 'server');
    expect(refused.map((v) => v.kind)).to.deep.equal([
      'not-permitted',
      'not-permitted',
      'not-permitted',
      'malformed',
      'too-large',
      'malformed',
      'bounds',
      'not-permitted',
      'malformed',
      'malformed',
    ]);
    expect(broker.states().find((s) => s.app === 'chat')).to.equal(undefined);
  });

  it('delivers every offset once: resends and overlapping resumes reach no widget twice', async () => {
    const chat = attach(broker, 's2', 'chat');
    send(chat, { op: 'sub', id: 1, pattern: 'todo.item.*' });
    await settle();
    const sent = Array.from({ length: 50 }, (_, i) => remote(i + 1));
    // Live pushes of 1..30, a reconnect that resumes from 20 (overlap 21..30), the rest twice.
    let taken = broker.deliver(sent.slice(0, 30));
    taken += broker.deliver(sent.slice(20, 40));
    taken += broker.deliver(sent.slice(35, 50));
    taken += broker.deliver(sent.slice(35, 50));
    await settle();
    const received = events(chat).map((e) => (e.data as { n: number }).n);
    const duplicated = received.length - new Set(received).size;
    const lost = sent.filter((e) => !received.includes(e.offset)).length;
    expect({ sent: sent.length, received: received.length, duplicated, lost, taken }).to.deep.equal(
      { sent: 50, received: 50, duplicated: 0, lost: 0, taken: 50 },
    );
    expect(received).to.deep.equal(sent.map((e) => e.offset));
    // A new epoch (the server lost history) starts again from offset 1.
    expect(broker.deliver([remote(1, { epoch: 'e2' })])).to.equal(1);
    // Streams are apart: the same offset in another space is another event.
    expect(broker.deliver([remote(1, { epoch: 'e2', space: 's2' })])).to.equal(1);
  });

  it('adopts a synced state from the server and tells its watchers', async () => {
    broker.register(manifest('cal', { reads: ['todo'] }));
    const cal = attach(broker, 's4', 'cal');
    send(cal, { op: 'watch', id: 1, app: 'todo' });
    await settle();
    broker.deliver([{ space: 's1', epoch: 'e1', offset: 1, app: 'todo', data: '{"open":4}' }]);
    await settle();
    const states = cal.ops().filter((op) => op.op === 'state');
    expect(states.at(-1)).to.deep.include({ app: 'todo', version: 1, value: { open: 4 } });
  });

  it('on lost history: adopts the snapshot, re-sends it to watchers, and gives syncing subscribers a gap notice', async () => {
    broker.register(manifest('cal', { reads: ['todo'] }));
    const cal = attach(broker, 's4', 'cal');
    const chat = attach(broker, 's2', 'chat');
    const log = attach(broker, 's3', 'log');
    send(cal, { op: 'watch', id: 1, app: 'todo' });
    send(chat, { op: 'sub', id: 1, pattern: 'todo.item.*' });
    send(log, { op: 'sub', id: 1, pattern: 'todo.item.*' });
    await settle();
    broker.deliver([remote(7)]);
    broker.resync('s1', [
      { app: 'todo', data: '{"open":9}' },
      // Not a synced state: ignored.
      { app: 'chat', data: '{"x":1}' },
    ]);
    await settle();
    expect(
      cal
        .ops()
        .filter((op) => op.op === 'state')
        .at(-1),
    ).to.deep.include({
      app: 'todo',
      value: { open: 9 },
    });
    expect(chat.ops().filter((op) => op.op === 'gap')).to.deep.equal([{ op: 'gap', dropped: 1 }]);
    expect(log.ops().filter((op) => op.op === 'gap')).to.deep.equal([]);
    // The stream starts afresh: an offset at or below the last one delivered is new history.
    expect(broker.deliver([remote(3)])).to.equal(1);
  });
});
