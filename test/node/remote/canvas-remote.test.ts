import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';

import { CanvasModel, type Slot } from '../../../shell/model/canvas-model.ts';
import { CanvasRemote, type LostNotice } from '../../../shell/remote/canvas-remote.ts';
import type { TabLocks } from '../../../shell/remote/replica-rows.ts';
import { MemoryReplicaStore } from '../../../shell/remote/replica-store.ts';
import { ServerLink } from '../../../shell/remote/server-link.ts';
import { FakeSyncHost } from '../store/fake-sync-host.ts';
import { FakeServer } from './fake-server.ts';
import { until } from './until.ts';

const A: Slot = { slotId: 'a', app: 'alpha', x: 0, y: 0, width: 100, height: 80 };
const B: Slot = { slotId: 'b', app: 'beta', x: 200, y: 0, width: 100, height: 80 };

const stops: Array<() => void> = [];
afterEach(() => {
  for (const stop of stops.splice(0)) stop();
});

/** A device: its own canvas model, link and replica store, on `server`. */
function device(
  server: FakeServer,
  name: string,
  options: { user?: string; layout?: Slot[] } = {},
) {
  const model = new CanvasModel<FakeSyncHost>(() => new FakeSyncHost());
  for (const slot of options.layout ?? []) model.mount(slot);
  const link = new ServerLink({
    url: 'http://127.0.0.1:9/',
    device: `device-${name}`,
    getToken: () => 'token',
    socket: server.factory(options.user),
    reconnectBaseMs: 1,
    reconnectMaxMs: 2,
  });
  const store = new MemoryReplicaStore();
  const remote = new CanvasRemote(model, { link, space: 'demo', store });
  const lost: LostNotice[] = [];
  remote.onLost((n) => lost.push(n));
  stops.push(
    () => remote.stop(),
    () => link.stop(),
  );
  return { model, link, remote, store, lost };
}

const xy = (model: CanvasModel<FakeSyncHost>, slotId: string) => {
  const s = model.slot(slotId);
  return s ? [s.x, s.y] : undefined;
};

describe('CanvasRemote', () => {
  it('seeds an empty space with the first device’s layout; the next device gets it', async () => {
    const server = new FakeServer();
    const laptop = device(server, 'laptop', { layout: [A, B] });
    await laptop.remote.start();
    await until(() => laptop.remote.status === 'synced' && server.rev === 1, 'seeded');
    const phone = device(server, 'phone', { layout: [] });
    await phone.remote.start();
    await until(() => phone.model.layout.length === 2, 'the phone shows the space');
    assert.deepEqual(phone.model.layout, [A, B]);
  });

  it('an edit on one device appears on the other, and is not echoed back', async () => {
    const server = new FakeServer();
    const laptop = device(server, 'laptop', { layout: [A, B] });
    await laptop.remote.start();
    await until(() => laptop.remote.status === 'synced', 'laptop synced');
    const phone = device(server, 'phone');
    await phone.remote.start();
    await until(() => phone.model.layout.length === 2, 'phone joined');
    laptop.model.update('a', { x: 40, y: 60 });
    await until(() => xy(phone.model, 'a')?.[0] === 40, 'the move reaches the phone');
    assert.deepEqual(xy(phone.model, 'a'), [40, 60]);
    phone.model.unmount('b', 'remove');
    await until(() => laptop.model.layout.length === 1, 'the removal reaches the laptop');
    await until(
      () => laptop.remote.status === 'synced' && phone.remote.status === 'synced',
      'both synced',
    );
    assert.equal(server.rev, 3, 'seed, move, remove: no echo edits');
  });

  it('keeps edits made offline and merges them on reconnect: different slots both survive', async () => {
    const server = new FakeServer();
    const laptop = device(server, 'laptop', { layout: [A, B] });
    await laptop.remote.start();
    await until(() => laptop.remote.status === 'synced', 'laptop synced');
    const phone = device(server, 'phone');
    await phone.remote.start();
    await until(() => phone.model.layout.length === 2, 'phone joined');

    phone.link.stop();
    await until(() => phone.remote.status === 'offline', 'phone offline');
    phone.model.update('b', { y: 300 });
    laptop.model.update('a', { x: 500 });
    assert.equal(phone.remote.pending, 1);
    await until(() => server.rev === 2, 'the laptop’s move is stored');
    // Kept on the device while offline.
    type Kept = { replica: { pending: unknown[] } };
    await until(
      () => (phone.store.rows.get('demo') as Kept).replica.pending.length === 1,
      'stored',
    );

    phone.link.start();
    await until(
      () => xy(laptop.model, 'b')?.[1] === 300,
      'the phone’s offline move reaches the laptop',
    );
    await until(() => xy(phone.model, 'a')?.[0] === 500, 'the laptop’s move reaches the phone');
    assert.deepEqual(laptop.model.layout, phone.model.layout);
    assert.equal(phone.remote.pending, 0);
  });

  it('concurrent moves of one slot: the later write wins everywhere, the other device is told', async () => {
    const server = new FakeServer();
    const laptop = device(server, 'laptop', { layout: [A] });
    await laptop.remote.start();
    await until(() => laptop.remote.status === 'synced', 'laptop synced');
    const phone = device(server, 'phone');
    await phone.remote.start();
    await until(() => phone.model.layout.length === 1, 'phone joined');

    phone.link.stop();
    await until(() => phone.remote.status === 'offline', 'phone offline');
    laptop.model.update('a', { x: 111 });
    await until(() => server.rev === 2, 'laptop stored');
    phone.model.update('a', { x: 222 });
    phone.link.start();
    await until(() => xy(laptop.model, 'a')?.[0] === 222, 'the later write reaches the laptop');
    assert.equal(xy(phone.model, 'a')?.[0], 222);
    await until(() => laptop.lost.length === 1, 'the laptop is told');
    assert.deepEqual(laptop.lost[0], {
      space: 'demo',
      slot: 'a',
      fields: ['x'],
      by: { user: 'demo', device: 'device-phone' },
    });
  });

  it('sends edits kept from an earlier visit after a reload', async () => {
    const server = new FakeServer();
    const laptop = device(server, 'laptop', { layout: [A] });
    await laptop.remote.start();
    await until(() => laptop.remote.status === 'synced', 'synced');
    laptop.link.stop();
    await until(() => laptop.remote.status === 'offline', 'offline');
    laptop.model.update('a', { width: 333 });
    await until(
      () =>
        (laptop.store.rows.get('demo') as { replica: { pending: unknown[] } }).replica.pending
          .length === 1,
      'kept',
    );
    laptop.remote.stop();

    // The page reloads: a new canvas (restored from its cache), link and remote, same store.
    const model = new CanvasModel<FakeSyncHost>(() => new FakeSyncHost());
    model.mount({ ...A, width: 333 });
    const link = new ServerLink({
      url: 'http://h/',
      device: 'device-laptop',
      getToken: () => 't',
      socket: server.factory(),
    });
    const remote = new CanvasRemote(model, { link, space: 'demo', store: laptop.store });
    stops.push(
      () => remote.stop(),
      () => link.stop(),
    );
    await remote.start();
    await until(
      () => server.slots.get('a')?.get('width')?.value === 333,
      'the kept edit is stored',
    );
    await until(() => remote.pending === 0 && remote.status === 'synced', 'acknowledged');
  });

  it('a user who is not a member is refused, and the canvas is left alone', async () => {
    const server = new FakeServer();
    const eve = device(server, 'eve', { user: 'eve', layout: [A] });
    await eve.remote.start();
    await until(() => eve.remote.status === 'refused', 'refused');
    assert.equal(eve.remote.error?.code, 'NOT_FOUND');
    assert.deepEqual(eve.model.layout, [A]);
    assert.equal(server.rev, 0);
  });
});

/** Web Locks in memory: a lock is held while its callback's promise runs. */
class FakeLocks implements TabLocks {
  readonly held = new Set<string>();
  async request(name: string, callback: () => Promise<void>): Promise<void> {
    this.held.add(name);
    try {
      await callback();
    } finally {
      this.held.delete(name);
    }
  }
  query() {
    return Promise.resolve({ held: [...this.held].map((name) => ({ name })) });
  }
}

describe('CanvasRemote in several tabs of one browser', () => {
  /** A tab: its own canvas, link and remote, on the browser's one store and locks. */
  function tab(server: FakeServer, store: MemoryReplicaStore, locks: FakeLocks, layout: Slot[]) {
    const model = new CanvasModel<FakeSyncHost>(() => new FakeSyncHost());
    for (const slot of layout) model.mount(slot);
    const link = new ServerLink({
      url: 'http://127.0.0.1:9/',
      device: 'device-browser',
      getToken: () => 'token',
      socket: server.factory(),
    });
    const remote = new CanvasRemote(model, { link, space: 'demo', store, locks });
    stops.push(
      () => remote.stop(),
      () => link.stop(),
    );
    return { model, link, remote };
  }

  it('keeps each tab’s offline edits in a row of its own; a later tab sends those of closed tabs', async () => {
    const server = new FakeServer();
    const store = new MemoryReplicaStore();
    const locks = new FakeLocks();
    const first = tab(server, store, locks, [A, B]);
    await first.remote.start();
    await until(() => first.remote.status === 'synced' && server.rev === 1, 'seeded');
    const second = tab(server, store, locks, [A, B]);
    await second.remote.start();
    await until(() => second.remote.status === 'synced', 'second tab joined');
    assert.equal(store.rows.size, 2, 'a row per tab');

    // Both tabs go offline, edit different slots, and close before the network returns.
    first.link.stop();
    second.link.stop();
    first.model.update('a', { x: 11 });
    second.model.update('b', { y: 22 });
    await until(() => first.remote.pending === 1 && second.remote.pending === 1, 'kept');
    first.remote.stop();
    second.remote.stop();
    await until(() => locks.held.size === 0, 'both locks released');

    // A new tab takes both rows over, sends both edits, and deletes the rows it took.
    const third = tab(server, store, locks, [A, B]);
    await third.remote.start();
    assert.equal(third.remote.pending, 2);
    await until(() => third.remote.status === 'synced' && third.remote.pending === 0, 'sent');
    assert.equal(server.slots.get('a')?.get('x')?.value, 11);
    assert.equal(server.slots.get('b')?.get('y')?.value, 22);
    assert.deepEqual([...store.rows.keys()].length, 1, 'only the new tab’s row is left');
  });

  it('never takes over the row of a tab that is still open', async () => {
    const server = new FakeServer();
    const store = new MemoryReplicaStore();
    const locks = new FakeLocks();
    const open = tab(server, store, locks, [A]);
    await open.remote.start();
    await until(() => open.remote.status === 'synced', 'joined');
    open.link.stop();
    open.model.update('a', { x: 5 });
    await until(() => open.remote.pending === 1, 'kept');
    const late = tab(server, store, locks, [A]);
    await late.remote.start();
    assert.equal(late.remote.pending, 0);
    await until(() => late.remote.status === 'synced' && store.rows.size === 2, 'late saved');
    type Row = { replica: { pending: unknown[] } };
    const rows = [...store.rows.values()] as Row[];
    assert.deepEqual(
      rows.map((r) => r.replica.pending.length).sort(),
      [0, 1],
      'the open tab’s edit is still its own',
    );
  });
});
