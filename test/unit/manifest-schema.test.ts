import { expect } from '@open-wc/testing';

import { ManifestSchema, McError } from '../../sdk/protocol/index.ts';
import { ManifestRegistry } from '../../shell/host/manifest-registry.ts';
import { parseCanvasState } from '../../shell/store/canvas-state.ts';

/**
 * The manifest schema is written with zod/mini; this table pins what it accepts, the
 * defaults it fills in, and the first issue (path and message) of what it refuses, as the
 * `INVALID_MANIFEST` message the host author sees.
 */
describe('ManifestSchema (zod/mini)', () => {
  const good = { id: 'cal', name: ' Calendar ', url: 'https://apps.example/cal/' };

  it('fills in defaults, trims the name and keeps what it was given', () => {
    const m = ManifestSchema.parse({ ...good, limits: { burst: 3 }, storage: { quotaBytes: 0 } });
    expect(m).to.deep.equal({
      id: 'cal',
      name: 'Calendar',
      url: 'https://apps.example/cal/',
      publishes: [],
      subscribes: [],
      reads: [],
      scopes: [],
      permissions: [],
      limits: { burst: 3 },
      services: [],
      size: { width: { mode: 'fixed', min: 0 }, height: { mode: 'fixed', min: 0 } },
      shortcuts: [],
      storage: { quotaBytes: 0 },
    });
    const sized = ManifestSchema.parse({ ...good, size: { width: { mode: 'content', max: 90 } } });
    expect(sized.size).to.deep.equal({
      width: { mode: 'content', min: 0, max: 90 },
      height: { mode: 'fixed', min: 0 },
    });
    expect(ManifestSchema.safeParse({ ...good, url: 'http://127.0.0.2:8000/x' }).success).to.equal(
      true,
    );
  });

  /** Input overrides, then the exact message `Host.register` throws. */
  const refused: Array<[Record<string, unknown>, string]> = [
    [{ id: 'Cal' }, 'id": must be lowercase ASCII: a letter, then letters, digits, - or _'],
    [{ id: 'host' }, 'id": "host" is reserved'],
    [{ name: '   ' }, 'name": Too small: expected string to have >=1 characters'],
    [{ name: 'x'.repeat(81) }, 'name": Too big: expected string to have <=80 characters'],
    [{ url: 'not a url' }, 'url": Invalid URL'],
    [{ url: 'ftp://apps.example/' }, 'url": Invalid URL'],
    [{ url: 'http://evil.example/' }, 'url": must be https (http only on loopback)'],
    [{ url: 'https://apps.example/#x' }, 'url": must be https (http only on loopback)'],
    [{ publishes: ['todo.item.added'] }, `publishes.0": must start with the app's own id ("cal.")`],
    [{ publishes: ['cal.a.b', 'x.y.z'] }, `publishes.1": must start with the app's own id`],
    [{ subscribes: ['cal.**'] }, 'subscribes.0": must be a topic pattern (a.b.c)'],
    [{ reads: ['Todo'] }, 'reads.0": Invalid string: must match pattern'],
    [{ permissions: ['top-navigation'] }, 'permissions.0": Invalid option'],
    [{ services: ['teleport'] }, 'services.0": Invalid option'],
    [
      { limits: { maxDepth: 1.5 } },
      'limits.maxDepth": Invalid input: expected int, received number',
    ],
    [{ limits: { maxDepth: 0 } }, 'limits.maxDepth": Too small: expected number to be >=1'],
    [
      { limits: { eventsPerSecond: 0 } },
      'limits.eventsPerSecond": Too small: expected number to be >0',
    ],
    [
      { limits: { burst: Infinity } },
      'limits.burst": Invalid input: expected number, received Infinity',
    ],
    [{ limits: { source: 1 } }, 'limits": Unrecognized key: "source"'],
    [{ size: { width: { min: -1 } } }, 'size.width.min": Too small: expected number to be >=0'],
    [{ shortcuts: ['K'] }, 'shortcuts.0": must be a shortcut like "Ctrl+K"'],
    [
      { storage: { quotaBytes: 2 ** 21 } },
      'storage.quotaBytes": Too big: expected number to be <=1048576',
    ],
    [{ sandbox: 'allow-same-origin' }, '(manifest)": Unrecognized key: "sandbox"'],
    // Syncing never adds a right: only what publishes/subscribes already grant may leave.
    [
      { publishes: ['cal.date.*'], sync: { publishes: ['cal.todo.done'] } },
      'sync.publishes.0": must lie inside one of publishes',
    ],
    [
      { subscribes: ['todo.item.*'], sync: { subscribes: ['todo.*.done'] } },
      'sync.subscribes.0": must lie inside one of subscribes',
    ],
    [{ sync: { state: 'yes' } }, 'sync.state": Invalid input: expected boolean, received string'],
  ];

  it('keeps a sync field within the rights, with its defaults', () => {
    const m = ManifestSchema.parse({
      ...good,
      publishes: ['cal.date.*'],
      subscribes: ['todo.item.*'],
      sync: { publishes: ['cal.date.selected'], subscribes: ['todo.item.*'] },
    });
    expect(m.sync).to.deep.equal({
      publishes: ['cal.date.selected'],
      subscribes: ['todo.item.*'],
      state: false,
    });
    expect(ManifestSchema.parse(good).sync).to.equal(undefined);
  });

  it('refuses bad fields with the first issue named', () => {
    for (const [override, message] of refused) {
      const input = { ...good, ...override };
      let caught: unknown;
      try {
        new ManifestRegistry().register(input);
      } catch (error) {
        caught = error;
      }
      expect(caught, JSON.stringify(input)).to.be.instanceOf(McError);
      expect((caught as McError).code).to.equal('INVALID_MANIFEST');
      expect((caught as McError).message, JSON.stringify(input)).to.contain(
        `manifest field "${message}`,
      );
    }
  });
});

describe('CanvasStateSchema (zod/mini)', () => {
  const slot = { slotId: 's1', app: 'todo', x: 0, y: 0, width: 100, height: 80 };
  const saved = {
    v: 2,
    layout: { slots: [slot], at: 1, tab: 't' },
    states: { todo: { json: '{}', at: 1, tab: 't' } },
  };
  const withSlot = (s: object) => ({ ...saved, layout: { ...saved.layout, slots: [s] } });

  it('accepts a saved canvas and refuses malformed ones', async () => {
    expect(await parseCanvasState(saved)).to.deep.equal(saved);
    expect(await parseCanvasState({ v: 2, states: {} })).to.deep.equal({ v: 2, states: {} });
    expect(await parseCanvasState(withSlot({ ...slot, config: { a: [1] } }))).to.not.equal(
      undefined,
    );
    const bad: unknown[] = [
      { ...saved, v: 3 },
      { ...saved, extra: 1 },
      { ...saved, layout: { ...saved.layout, at: Infinity } },
      { ...saved, states: { todo: { json: '{}', at: 1 } } },
      { ...saved, states: { Todo: { json: '{}', at: 1, tab: 't' } } },
      { ...saved, states: { todo: { json: 'x'.repeat(70_000), at: 1, tab: 't' } } },
      withSlot({ ...slot, x: -1 }),
      withSlot({ ...slot, config: () => 1 }),
      withSlot({ ...slot, config: 'x'.repeat(17 * 1024) }),
    ];
    for (const input of bad)
      expect(await parseCanvasState(input), JSON.stringify(input).slice(0, 200)).to.equal(
        undefined,
      );
  });

  it('reads a version 1 save as version 2, its one stamp on every entry', async () => {
    const v1 = { v: 1, slots: [slot], states: { todo: '{}' }, savedAt: 1, tab: 't' };
    expect(await parseCanvasState(v1)).to.deep.equal(saved);
    const bad: unknown[] = [
      { ...v1, savedAt: Infinity },
      { ...v1, states: { Todo: '{}' } },
      { ...v1, slots: [{ ...slot, x: -1 }] },
      { ...v1, extra: 1 },
    ];
    for (const input of bad)
      expect(await parseCanvasState(input), JSON.stringify(input)).to.equal(undefined);
  });
});
