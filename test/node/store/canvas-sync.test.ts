import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';

import { CanvasModel } from '../../../shell/model/canvas-model.ts';
import { parseCanvasState, type CanvasState } from '../../../shell/store/canvas-state.ts';
import type { CanvasStore } from '../../../shell/store/canvas-store.ts';
import { CanvasSync } from '../../../shell/store/canvas-sync.ts';
import { MemoryBacking, MemoryStore } from '../../../shell/store/memory-store.ts';
import { TabChannel } from '../../../shell/store/tab-channel.ts';
import { FakeSyncHost } from './fake-sync-host.ts';

const at = { y: 0, width: 200, height: 120 };
const DEFAULTS = [
  { slotId: 'a-1', app: 'alpha', x: 0, ...at },
  { slotId: 'b-1', app: 'beta', x: 220, ...at },
];

const syncs: CanvasSync[] = [];
const channels: TabChannel[] = [];
afterEach(() => {
  for (const s of syncs.splice(0)) s.stop();
  for (const c of channels.splice(0)) c.close();
});

/** A store whose saves are counted. */
function counting(store: CanvasStore): CanvasStore & { saves: CanvasState[] } {
  const saves: CanvasState[] = [];
  return {
    saves,
    load: (id) => store.load(id),
    subscribe: (id, listener) => store.subscribe(id, listener),
    save: (id, state) => (saves.push(state), store.save(id, state)),
  };
}

/** A tab: its own model and host, syncing through `store`. */
function tab(store: CanvasStore, apps: string[] = []) {
  const host = new FakeSyncHost();
  const model = new CanvasModel<FakeSyncHost>(() => host);
  const sync = new CanvasSync(model, { store, id: 'c', states: apps });
  syncs.push(sync);
  return { host, model, sync };
}

/** Resolves once `check` holds, checking after each macrotask (fails after 200 turns). */
async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (check()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  assert.fail(`never: ${what}`);
}

const xOf = (model: CanvasModel<FakeSyncHost>, slotId: string) => model.slot(slotId)?.x;

describe('CanvasSync (one syncer, one rule: per entry, the latest (at, tab) wins)', () => {
  it('restores the saved layout and states, or mounts the defaults when nothing is saved', async () => {
    const backing = new MemoryBacking();
    const first = tab(new MemoryStore(backing), ['alpha']);
    assert.equal(await first.sync.start(DEFAULTS), false);
    first.model.update('a-1', { x: 40 });
    first.host.set('alpha', { n: 1 });
    await until(() => backing.data.get('c')?.states.alpha !== undefined, 'alpha saved');
    await first.sync.flush();

    const second = tab(new MemoryStore(backing), ['alpha']);
    assert.equal(await second.sync.start(DEFAULTS), true);
    assert.deepEqual(
      second.model.layout.map((s) => [s.slotId, s.x]),
      [
        ['a-1', 40],
        ['b-1', 220],
      ],
    );
    assert.deepEqual(second.host.adopted, [['alpha', '{"n":1}']]);
  });

  it('mounts the defaults when the stored copy has states but no layout', async () => {
    const backing = new MemoryBacking();
    await new MemoryStore(backing).save('c', {
      v: 2,
      states: { alpha: { json: '7', at: 1, tab: 't' } },
    });
    const t = tab(new MemoryStore(backing), ['alpha']);
    assert.equal(await t.sync.start(DEFAULTS), true);
    assert.deepEqual(
      t.model.layout.map((s) => s.slotId),
      ['a-1', 'b-1'],
    );
    assert.deepEqual(t.host.adopted, [['alpha', '7']]);
  });

  it('shows one tab’s edit in the other, which does not save it back', async () => {
    const backing = new MemoryBacking();
    const a = tab(new MemoryStore(backing));
    const storeB = counting(new MemoryStore(backing));
    const b = tab(storeB);
    await a.sync.start(DEFAULTS);
    await a.sync.flush();
    await b.sync.start(DEFAULTS);
    const savesOfB = storeB.saves.length;
    a.model.update('b-1', { x: 400 });
    await until(() => xOf(b.model, 'b-1') === 400, 'b applies a’s edit');
    // Control: b's own edit, made now, is saved; an echo would have been saved before it.
    b.model.update('a-1', { x: 20 });
    await until(() => storeB.saves.length > savesOfB, 'b saves its own edit');
    assert.equal(storeB.saves.length, savesOfB + 1);
    assert.equal(storeB.saves.at(-1)!.layout!.slots[0]!.x, 20);
    await until(() => xOf(a.model, 'a-1') === 20, 'a applies b’s edit');
  });

  it('keeps both of two concurrent edits of different entries (layout in one tab, a state in the other)', async () => {
    const backing = new MemoryBacking();
    const a = tab(new MemoryStore(backing), ['alpha']);
    const b = tab(new MemoryStore(backing), ['alpha']);
    await a.sync.start(DEFAULTS);
    await a.sync.flush();
    await b.sync.start(DEFAULTS);
    a.model.update('a-1', { x: 300 });
    b.host.set('alpha', 'from-b');
    await until(() => xOf(b.model, 'a-1') === 300, 'b has a’s layout');
    await until(() => a.host.value('alpha') === 'from-b', 'a has b’s state');
    await a.sync.flush();
    const stored = backing.data.get('c')!;
    assert.equal(stored.layout!.slots[0]!.x, 300);
    assert.equal(stored.states.alpha!.json, '"from-b"');
  });

  it('settles concurrent edits of one entry on the higher (at, tab) in every tab', async () => {
    const backing = new MemoryBacking();
    const a = tab(new MemoryStore(backing));
    const b = tab(new MemoryStore(backing));
    await a.sync.start(DEFAULTS);
    await a.sync.flush();
    await b.sync.start(DEFAULTS);
    a.model.update('a-1', { x: 100 });
    b.model.update('a-1', { x: 200 });
    await until(() => xOf(a.model, 'a-1') === xOf(b.model, 'a-1'), 'both tabs agree on one layout');
    const winner = xOf(a.model, 'a-1');
    assert.ok(winner === 100 || winner === 200);
    await until(() => backing.data.get('c')!.layout!.slots[0]!.x === winner, 'storage agrees');
  });

  it('ignores an older copy, and answers it with the newer one (storage converges)', async () => {
    const backing = new MemoryBacking();
    const a = tab(new MemoryStore(backing));
    await a.sync.start(DEFAULTS);
    a.model.update('a-1', { x: 100 });
    await a.sync.flush();
    const mine = backing.data.get('c')!.layout!;
    const stale: CanvasState = {
      v: 2,
      layout: { slots: [{ ...mine.slots[0]!, x: 999 }], at: mine.at - 1, tab: 'zzz' },
      states: {},
    };
    await new MemoryStore(backing).save('c', stale);
    await until(() => backing.data.get('c')!.layout!.slots[0]!.x === 100, 'answered');
    assert.equal(xOf(a.model, 'a-1'), 100);
    assert.equal(a.model.layout.length, 2);
    // Control: the same copy stamped later wins, removal of b-1 included.
    await new MemoryStore(backing).save('c', {
      ...stale,
      layout: { ...stale.layout!, at: mine.at + 1 },
    });
    await until(() => xOf(a.model, 'a-1') === 999, 'a newer copy applied');
    assert.equal(a.model.layout.length, 1);
  });

  it('reads a version 1 save (one stamp for the whole canvas) as stamped entries', async () => {
    const v2 = await parseCanvasState({
      v: 1,
      slots: [{ slotId: 's', app: 'alpha', x: 1, ...at }],
      states: { alpha: '{"n":1}' },
      savedAt: 7,
      tab: 't',
    });
    assert.deepEqual(v2, {
      v: 2,
      layout: { slots: [{ slotId: 's', app: 'alpha', x: 1, ...at }], at: 7, tab: 't' },
      states: { alpha: { json: '{"n":1}', at: 7, tab: 't' } },
    });
    assert.equal(await parseCanvasState({ v: 1, slots: 'no' }), undefined);
  });

  it('saves no state over a store it could not read, and lets the stored copy win once read', async () => {
    const backing = new MemoryBacking();
    await new MemoryStore(backing).save('c', {
      v: 2,
      states: { alpha: { json: '{"n":9}', at: 1, tab: 't' } },
      layout: { slots: [{ ...DEFAULTS[0]!, x: 40 }], at: 1, tab: 't' },
    });
    let readable = false;
    const inner = new MemoryStore(backing);
    const store = counting({
      load: (id) => (readable ? inner.load(id) : Promise.reject(new Error('open timed out'))),
      save: (id, state) => inner.save(id, state),
      subscribe: (id, listener) => inner.subscribe(id, listener),
    });
    const host = new FakeSyncHost();
    const model = new CanvasModel<FakeSyncHost>(() => host);
    const errors: unknown[] = [];
    const sync = new CanvasSync(model, {
      store,
      id: 'c',
      states: ['alpha'],
      onError: (e) => errors.push(e),
    });
    syncs.push(sync);
    assert.equal(await sync.start(DEFAULTS), false);
    // A default widget writes its state: while the store is unread, nothing replaces it.
    host.set('alpha', { n: 1 });
    await until(() => errors.length >= 2, 'a second read tried');
    await sync.flush();
    assert.deepEqual(store.saves, []);
    assert.equal(backing.data.get('c')?.states.alpha?.json, '{"n":9}');

    readable = true;
    host.set('alpha', { n: 2 });
    await new Promise((resolve) => setImmediate(resolve));
    await sync.flush();
    assert.deepEqual(host.adopted, [['alpha', '{"n":9}']]);
    assert.equal(xOf(model, 'a-1'), 40);
    assert.deepEqual(
      model.layout.map((s) => s.slotId),
      ['a-1'],
    );
    assert.equal(backing.data.get('c')?.states.alpha?.json, '{"n":9}');
    assert.ok(store.saves.length > 0);
  });

  it('syncs public states over a TabChannel alone, and a tab that opens later catches up', async () => {
    const channel = (name: string) => {
      const c = new TabChannel(name);
      channels.push(c);
      return c;
    };
    const hostA = new FakeSyncHost();
    const a = new CanvasSync({ host: hostA }, { store: channel('t1'), id: 'c', states: ['alpha'] });
    syncs.push(a);
    await a.start();
    hostA.set('alpha', 'first');
    await until(() => hostA.value('alpha') === 'first', 'set');
    const hostB = new FakeSyncHost();
    const b = new CanvasSync({ host: hostB }, { store: channel('t1'), id: 'c', states: ['alpha'] });
    syncs.push(b);
    await b.start();
    await until(() => hostB.value('alpha') === 'first', 'the late tab gets the current value');
    hostB.set('alpha', 'second');
    await until(() => hostA.value('alpha') === 'second', 'and then follows');
  });
});
