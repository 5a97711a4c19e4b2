import { expect } from '@open-wc/testing';

import { McError } from '../../sdk/protocol/index.ts';

import type { McCanvas } from '../../shell/elements/mc-canvas.ts';
import type { CanvasState } from '../../shell/store/canvas-state.ts';
import { CanvasPersistence } from '../../shell/store/canvas-persistence.ts';
import { IndexedDbStore } from '../../shell/store/indexeddb-store.ts';
import { MemoryBacking, MemoryStore } from '../../shell/store/memory-store.ts';
import {
  cleanup,
  command,
  createCanvas,
  drivenManifest,
  mountDriven,
  nextEvent,
} from '../helpers/canvas.ts';

const DEFAULTS = [
  { slotId: 'a-1', app: 'alpha', x: 0, y: 0, width: 300, height: 200 },
  { slotId: 'b-1', app: 'beta', x: 320, y: 0, width: 300, height: 200 },
];

/** A canvas (its own host, like a tab of its own) with alpha and beta registered. */
function tab(): McCanvas {
  const canvas = createCanvas();
  canvas.host.register(drivenManifest('alpha'));
  canvas.host.register(drivenManifest('beta'));
  return canvas;
}

function nextChange(canvas: McCanvas): Promise<void> {
  return new Promise((resolve) =>
    canvas.addEventListener('mc-layout-change', () => resolve(), { once: true }),
  );
}

/** Counts a store's saves; `next()` resolves on the next one. */
function counted(store: MemoryStore) {
  const save = store.save.bind(store);
  let waiting: (() => void) | undefined;
  const saved = {
    store,
    count: 0,
    next: () => new Promise<void>((resolve) => (waiting = resolve)),
  };
  store.save = async (id, state) => {
    saved.count++;
    await save(id, state);
    waiting?.();
  };
  return saved;
}

/** A tab of its own, on storage of its own, whose saves are counted from now on. */
async function savingTab() {
  const canvas = tab();
  const saved = counted(new MemoryStore(new MemoryBacking()));
  const p = persist(canvas, saved.store);
  await p.start(DEFAULTS);
  await p.flush();
  saved.count = 0;
  return { canvas, saved };
}

const persistences: CanvasPersistence[] = [];
function persist(
  canvas: McCanvas,
  store: MemoryStore | IndexedDbStore,
  options: { id?: string; persistStates?: string[] } = {},
): CanvasPersistence {
  const p = new CanvasPersistence(canvas, { store, id: 'test', saveDelayMs: 10, ...options });
  persistences.push(p);
  return p;
}

describe('CanvasPersistence', () => {
  afterEach(() => {
    for (const p of persistences.splice(0)) p.stop();
    cleanup();
  });

  it('mounts the defaults when nothing is saved, and restores an edited layout on reload', async () => {
    const backing = new MemoryBacking();
    const first = tab();
    expect(await persist(first, new MemoryStore(backing)).start(DEFAULTS)).to.equal(false);
    expect(first.layout.map((s) => s.slotId)).to.deep.equal(['a-1', 'b-1']);
    first.updateSlot('a-1', { x: 40, y: 260, config: { view: 'week' } });
    first.removeSlot('b-1');
    const added = first.add('beta');
    await persistences[0]!.flush();
    first.remove();

    // "Reload": a new canvas and host on the same storage.
    const second = tab();
    expect(await persist(second, new MemoryStore(backing)).start(DEFAULTS)).to.equal(true);
    expect(second.layout.map((s) => [s.slotId, s.x, s.y])).to.deep.equal([
      ['a-1', 40, 260],
      [added, first.layout[1]!.x, first.layout[1]!.y],
    ]);
    expect(second.layout[0]!.config).to.deep.equal({ view: 'week' });
  });

  it('coalesces a burst of edits into one save', async () => {
    const backing = new MemoryBacking();
    const canvas = tab();
    const store = new MemoryStore(backing);
    const saved = counted(store);
    const p = persist(canvas, store);
    await p.start(DEFAULTS);
    await p.flush();
    saved.count = 0;
    for (let x = 20; x <= 200; x += 20) canvas.updateSlot('a-1', { x });
    await saved.next();
    expect(backing.data.get('test')!.layout!.slots[0]!.x).to.equal(200);
    // Control: a later edit's save arrives; one per edit of the burst would have come first.
    canvas.updateSlot('a-1', { x: 220 });
    await saved.next();
    expect(saved.count).to.equal(2);
  });

  it('shows one tab’s edit in the other tab, without echoing it back', async () => {
    const backing = new MemoryBacking();
    const a = tab();
    const b = tab();
    const storeB = new MemoryStore(backing);
    const savedB = counted(storeB);
    await persist(a, new MemoryStore(backing)).start(DEFAULTS);
    await persistences[0]!.flush();
    await persist(b, storeB).start(DEFAULTS);
    expect(b.layout.map((s) => s.slotId)).to.deep.equal(['a-1', 'b-1']);
    const control = await savingTab();

    const seen = nextChange(b);
    a.updateSlot('b-1', { x: 0, y: 240 });
    await seen;
    expect(b.layout.find((s) => s.slotId === 'b-1')).to.include({ x: 0, y: 240 });
    // Control: a third tab's edit, made now, is saved; an echo, scheduled when b applied the
    // edit, would have been saved before it.
    control.canvas.updateSlot('a-1', { x: 10 });
    await control.saved.next();
    expect(savedB.count).to.equal(0);
  });

  it('keeps the latest layout when two tabs edit at once (at, then tab id)', async () => {
    const backing = new MemoryBacking();
    const canvas = tab();
    const p = persist(canvas, new MemoryStore(backing));
    await p.start(DEFAULTS);
    canvas.updateSlot('a-1', { x: 100 });
    await p.flush();
    const mine = backing.data.get('test')!.layout!;
    const other = new MemoryStore(backing);
    const stale: CanvasState = {
      v: 2,
      layout: { slots: [{ ...mine.slots[0]!, x: 500 }], at: mine.at - 1, tab: 'zzz' },
      states: {},
    };
    await other.save('test', stale);
    await Promise.resolve();
    expect(canvas.layout[0]).to.include({ x: 100 }, 'an older concurrent save loses');
    const seen = nextChange(canvas);
    await other.save('test', { ...stale, layout: { ...stale.layout!, at: mine.at + 1 } });
    await seen;
    expect(canvas.layout).to.have.length(1, 'a newer save wins, removals included');
    expect(canvas.layout[0]).to.include({ x: 500 });
  });

  it('saves the chosen public states and puts them back into the broker before widgets connect', async () => {
    const backing = new MemoryBacking();
    const first = createCanvas();
    const alpha = await mountDriven(first, 'alpha');
    first.host.register(drivenManifest('beta'));
    const p = new CanvasPersistence(first, {
      store: new MemoryStore(backing),
      id: 'states',
      persistStates: ['alpha'],
      saveDelayMs: 10,
    });
    persistences.push(p);
    await p.start();
    command(first.host, alpha, { cmd: 'set', value: { n: 5 } });
    await new Promise<void>((resolve) => {
      const stop = first.host.state.watch('alpha', (s) => s.version > 0 && (stop(), resolve()));
    });
    await p.flush();
    expect(backing.data.get('states')!.states.alpha).to.include({ json: '{"n":5}', tab: p.tab });

    const second = createCanvas();
    second.host.register(drivenManifest('alpha'));
    await persist(second, new MemoryStore(backing), { id: 'states' }).start();
    expect((await second.host.state.get('alpha')).version).to.equal(0, 'not chosen: not restored');
    persistences.pop()!.stop();
    const third = createCanvas();
    third.host.register(drivenManifest('alpha'));
    third.host.register(drivenManifest('beta', { reads: ['alpha'] }));
    await persist(third, new MemoryStore(backing), {
      id: 'states',
      persistStates: ['alpha'],
    }).start();
    expect((await third.host.state.get('alpha')).value).to.deep.equal({ n: 5 });
    // A reader mounted after the restore finds the state.
    const beta = await mountDriven(third, 'beta');
    const seen = nextEvent<{ value: unknown }>(third.host, 'beta.echo.state');
    command(third.host, beta, { cmd: 'get', app: 'alpha' });
    expect((await seen).data.value).to.deep.equal({ n: 5 });
  });

  it('a load that fails mounts the defaults, saves nothing until the store is read, then the stored canvas wins', async () => {
    const canvas = tab();
    const saves: CanvasState[] = [];
    const errors: unknown[] = [];
    const slot = { slotId: 'u-1', app: 'alpha', x: 40, y: 0, width: 200, height: 120 };
    const stored: CanvasState = { v: 2, states: {}, layout: { slots: [slot], at: 1, tab: 't' } };
    // The first two opens time out (a busy machine), the third answers.
    let failures = 2;
    const store = {
      load: async () => {
        if (failures-- > 0) throw new McError('STORAGE_UNAVAILABLE', 'not open within 5000 ms');
        return stored;
      },
      save: async (_id: string, state: CanvasState) => void saves.push(state),
      subscribe: () => () => {},
    };
    const p = new CanvasPersistence(canvas, {
      store,
      id: 'test',
      saveDelayMs: 10,
      onError: (error) => errors.push(error),
    });
    persistences.push(p);
    expect(await p.start(DEFAULTS)).to.equal(false);
    expect(canvas.layout.map((s) => s.slotId)).to.deep.equal(['a-1', 'b-1']);
    expect((errors[0] as McError).code).to.equal('STORAGE_UNAVAILABLE');
    await p.flush();
    expect(saves).to.deep.equal([], 'the defaults are not written over an unread store');
    // An edit of the defaults while the store still cannot be read: not saved either.
    canvas.removeSlot('b-1');
    await p.flush();
    expect(saves).to.deep.equal([], 'nor an edit of them');
    expect(errors).to.have.length(2);
    // Once the store answers, it is read before anything is saved, and what it holds (the
    // user's canvas) is shown and kept, never the defaults with the edit.
    await p.flush();
    expect(canvas.layout.map((s) => s.slotId)).to.deep.equal(['u-1']);
    expect(saves).to.not.have.length(0);
    for (const state of saves) {
      expect(state.layout?.slots.map((s) => s.slotId)).to.deep.equal(['u-1']);
    }
  });

  it('stopped while the store loads, it applies nothing, listens to nothing and saves nothing', async () => {
    const canvas = tab();
    let release!: () => void;
    const saves: string[] = [];
    let subscribed = 0;
    const store = {
      load: () => new Promise<undefined>((resolve) => (release = () => resolve(undefined))),
      save: async (id: string) => void saves.push(id),
      subscribe: () => (subscribed++, () => {}),
    };
    const p = new CanvasPersistence(canvas, { store, id: 'test', saveDelayMs: 10 });
    const started = p.start(DEFAULTS);
    p.stop();
    release();
    expect(await started).to.equal(false);
    expect(canvas.layout).to.have.length(0);
    expect(subscribed).to.equal(0);
    // Control: a running persistence of the same canvas, same delay, saves the same change.
    const control = counted(new MemoryStore(new MemoryBacking()));
    await persist(canvas, control.store).start();
    canvas.mount(DEFAULTS[0]!);
    await p.flush();
    await control.next();
    expect(saves).to.deep.equal([]);
  });

  it('leaves out slots of apps that are no longer registered (from a version 1 save)', async () => {
    const backing = new MemoryBacking();
    const v1 = {
      v: 1,
      slots: [
        { slotId: 'a-1', app: 'alpha', x: 0, y: 0, width: 200, height: 200 },
        { slotId: 'g-1', app: 'gone', x: 0, y: 0, width: 200, height: 200 },
      ],
      states: {},
      savedAt: 1,
      tab: 't',
    };
    await new MemoryStore(backing).save('test', v1 as unknown as CanvasState);
    const canvas = tab();
    await persist(canvas, new MemoryStore(backing)).start();
    expect(canvas.layout.map((s) => s.slotId)).to.deep.equal(['a-1']);
  });
});

describe('IndexedDbStore', () => {
  const state = (x: number): CanvasState => ({
    v: 2,
    layout: {
      slots: [{ slotId: 's', app: 'alpha', x, y: 0, width: 200, height: 200 }],
      at: x,
      tab: 't',
    },
    states: { alpha: { json: '{"n":1}', at: x, tab: 't' } },
  });
  const stores: IndexedDbStore[] = [];
  const open = (options: ConstructorParameters<typeof IndexedDbStore>[0] = {}) => {
    const store = new IndexedDbStore({ dbName: 'mc-test-store', ...options });
    stores.push(store);
    return store;
  };
  afterEach(() => {
    for (const s of stores.splice(0)) s.close();
  });

  it('saves and loads a canvas', async () => {
    const store = open();
    await store.save('one', state(5));
    expect(await open().load('one')).to.deep.equal(state(5));
    expect(await store.load('missing')).to.equal(undefined);
  });

  it('forgets a save after its expiry', async () => {
    let now = 1_000;
    const store = open({ ttlMs: 500, now: () => now });
    await store.save('expiring', state(1));
    now = 1_499;
    expect(await store.load('expiring')).to.deep.equal(state(1));
    now = 1_500;
    expect(await store.load('expiring')).to.equal(undefined);
    now = 0;
    expect(await store.load('expiring')).to.equal(undefined, 'deleted, not just hidden');
  });

  it('loads a corrupt or foreign record as nothing', async () => {
    const store = open();
    await store.save('bad', {
      ...state(1),
      layout: { slots: [{ nope: true }], at: 1, tab: 't' },
    } as unknown as CanvasState);
    expect(await store.load('bad')).to.equal(undefined);
  });

  it('tells other instances (other tabs) about a save, never the saving one', async () => {
    const writer = open();
    const reader = open();
    const heardByWriter: CanvasState[] = [];
    writer.subscribe('shared', (s) => heardByWriter.push(s));
    const heard = new Promise<CanvasState>((resolve) => reader.subscribe('shared', resolve));
    reader.subscribe('other-id', () => expect.fail('wrong canvas id'));
    await writer.save('shared', state(9));
    expect(await heard).to.deep.equal(state(9));
    expect(heardByWriter).to.have.length(0);
  });
});
