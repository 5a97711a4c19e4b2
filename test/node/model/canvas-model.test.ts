import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { McError } from '../../../sdk/protocol/index.ts';
import {
  CanvasModel,
  type LayoutChange,
  type ModelHost,
} from '../../../shell/model/canvas-model.ts';

/** A host that knows some app names and counts its ends. */
class FakeHost implements ModelHost {
  destroyed = false;
  constructor(readonly apps: Record<string, string> = { alpha: 'Alpha', beta: 'Beta' }) {}
  manifest(appId: string) {
    const name = this.apps[appId];
    return name === undefined ? undefined : { name };
  }
  destroy(): void {
    this.destroyed = true;
  }
}

/** A model with its own host (made by the model) and a log of its changes. */
function setup() {
  const made: Array<{ host: FakeHost; from: FakeHost | undefined }> = [];
  const model = new CanvasModel<FakeHost>((retired) => {
    const host = new FakeHost(retired?.apps);
    made.push({ host, from: retired });
    return host;
  });
  const changes: LayoutChange[] = [];
  model.onChange((change) => changes.push(change));
  return { model, changes, made };
}

const at = { x: 0, y: 0, width: 200, height: 120 };

describe('CanvasModel (the layout, without a DOM)', () => {
  it('mounts, moves, resizes, reconfigures and unmounts, telling each change with its reason', () => {
    const { model, changes } = setup();
    const id = model.mount({ app: 'alpha', ...at });
    model.update(id, { x: 40 });
    model.update(id, { width: 300 });
    model.update(id, { config: { color: 'red' } });
    model.unmount(id);
    assert.deepEqual(
      changes.map((c) => [c.reason, c.slotId]),
      [
        ['mount', id],
        ['move', id],
        ['resize', id],
        ['configure', id],
        ['unmount', id],
      ],
    );
    assert.deepEqual(changes[3]!.layout, [
      { app: 'alpha', slotId: id, x: 40, y: 0, width: 300, height: 120, config: { color: 'red' } },
    ]);
    assert.deepEqual(model.layout, []);
  });

  it('raises a slot to the front by moving it last (the stacking order), once', () => {
    const { model, changes } = setup();
    model.mount({ slotId: 'a', app: 'alpha', ...at });
    model.mount({ slotId: 'b', app: 'alpha', ...at });
    model.mount({ slotId: 'c', app: 'alpha', ...at });
    model.raise('a');
    model.raise('a');
    model.raise('nope');
    assert.deepEqual(
      model.layout.map((s) => s.slotId),
      ['b', 'c', 'a'],
    );
    assert.deepEqual(changes.map((c) => [c.reason, c.slotId]).slice(3), [['raise', 'a']]);
  });

  it('refuses unknown apps, bad sizes and duplicate slot ids, and changes nothing then', () => {
    const { model, changes } = setup();
    model.mount({ slotId: 's1', app: 'alpha', ...at });
    const refused = (run: () => unknown, code: string) =>
      assert.throws(run, (e: unknown) => e instanceof McError && e.code === code);
    refused(() => model.mount({ app: 'gamma', ...at }), 'UNKNOWN_APP');
    refused(() => model.mount({ app: 'alpha', ...at, width: Number.NaN }), 'INVALID_ARGUMENT');
    refused(() => model.mount({ app: 'alpha', ...at, x: -1 }), 'INVALID_ARGUMENT');
    refused(() => model.mount({ slotId: 's1', app: 'beta', ...at }), 'INVALID_ARGUMENT');
    refused(() => model.update('s1', { height: Number.POSITIVE_INFINITY }), 'INVALID_ARGUMENT');
    assert.equal(changes.length, 1);
    assert.deepEqual(model.layout, [{ slotId: 's1', app: 'alpha', ...at }]);
  });

  it('adds at the first free spot of the grid, so that nothing overlaps', () => {
    const { model } = setup();
    const a = model.add('alpha', { width: 200, height: 100 }, 440, 20);
    const b = model.add('beta', { width: 200, height: 100 }, 440, 20);
    const c = model.add('beta', { width: 200, height: 100 }, 440, 20);
    assert.deepEqual([a.x, a.y], [0, 0]);
    assert.equal(b.y, 0);
    assert.ok(b.x >= 200);
    assert.ok(c.y >= 100, 'the third goes on the next row');
    assert.equal(model.layout.length, 3);
  });

  it('replaces the whole layout, and remove of an unknown slot is no change', () => {
    const { model, changes } = setup();
    model.layout = [{ slotId: 'x', app: 'beta', ...at }];
    model.unmount('nope', 'remove');
    model.unmount('x', 'remove');
    assert.deepEqual(
      changes.map((c) => [c.reason, c.slotId]),
      [
        ['replace', ''],
        ['remove', 'x'],
      ],
    );
  });

  it('names slots by their app’s manifest', () => {
    const { model } = setup();
    const id = model.mount({ app: 'beta', ...at });
    assert.equal(model.nameOf(id), 'Beta');
    assert.equal(model.nameOf('unknown-slot'), 'unknown-slot');
  });

  it('stops telling a listener that unsubscribed', () => {
    const { model } = setup();
    const seen: string[] = [];
    const stop = model.onChange((c) => seen.push(c.reason));
    model.mount({ app: 'alpha', ...at });
    stop();
    model.mount({ app: 'alpha', ...at });
    assert.deepEqual(seen, ['mount']);
  });

  it('owns the host it made: retire destroys it, revive makes a new one with its manifests', () => {
    const { model, made } = setup();
    const first = model.host;
    assert.equal(model.host, first, 'made once');
    assert.equal(model.revive(), false, 'nothing to revive before retiring');
    assert.equal(model.retire(), true);
    assert.equal(first.destroyed, true);
    assert.equal(model.retire(), false, 'destroyed once');
    assert.equal(model.revive(), true);
    assert.notEqual(model.host, first);
    assert.equal(made[1]!.from, first);
    assert.equal(model.host.manifest('alpha')?.name, 'Alpha');
  });

  it('makes no host of its own when one is assigned first (a host starts a Worker)', () => {
    const { model, made } = setup();
    const given = new FakeHost();
    model.host = given;
    assert.equal(model.host, given);
    assert.equal(made.length, 0);
  });

  it('leaves a host it was given alone, and refuses to swap hosts under mounted slots', () => {
    const { model, made } = setup();
    const own = model.host;
    const given = new FakeHost();
    model.host = given;
    assert.equal(own.destroyed, true, 'its own host ends when replaced');
    assert.equal(model.retire(), false);
    assert.equal(given.destroyed, false);
    model.mount({ app: 'alpha', ...at });
    assert.throws(
      () => (model.host = new FakeHost()),
      (e: unknown) => e instanceof McError && e.code === 'INVALID_ARGUMENT',
    );
    assert.equal(model.host, given);
    assert.equal(made.length, 1);
  });
});
