import { expect } from '@open-wc/testing';

import {
  contentHeight,
  findFreeSpot,
  MIN_SLOT_HEIGHT_PX,
  MIN_SLOT_WIDTH_PX,
  moveRect,
  overlaps,
  resizeRect,
  snap,
} from '../../shell/layout/geometry.ts';
import { keyAction } from '../../shell/layout/keyboard.ts';

const rect = { x: 100, y: 100, width: 300, height: 200 };
const noMods = { shiftKey: false, ctrlKey: false, altKey: false, metaKey: false };

describe('layout geometry', () => {
  it('snaps to the grid, or to whole pixels without one', () => {
    expect(snap(29, 20)).to.equal(20);
    expect(snap(31, 20)).to.equal(40);
    expect(snap(12.6, 1)).to.equal(13);
  });

  it('moves within the canvas: never left of or above it, never past its width', () => {
    expect(moveRect(rect, 47, -13, 20)).to.include({ x: 140, y: 80 });
    expect(moveRect(rect, -500, -500, 20)).to.include({ x: 0, y: 0 });
    expect(moveRect(rect, 5000, 0, 20, 1000)).to.include({ x: 700 });
  });

  it('resizes from the corner within the minimum size and the canvas width', () => {
    expect(resizeRect(rect, 41, 19, 20)).to.include({ width: 340, height: 220 });
    expect(resizeRect(rect, -1000, -1000, 20)).to.include({
      width: MIN_SLOT_WIDTH_PX,
      height: MIN_SLOT_HEIGHT_PX,
    });
    expect(resizeRect(rect, 5000, 0, 20, 1000)).to.include({ width: 900 });
  });

  it('finds a free spot that overlaps nothing, filling rows before going down', () => {
    const taken = [
      { x: 0, y: 0, width: 360, height: 420 },
      { x: 380, y: 0, width: 360, height: 420 },
    ];
    expect(findFreeSpot(taken, 360, 420, 1120, 20)).to.deep.equal({
      x: 760,
      y: 0,
      width: 360,
      height: 420,
    });
    const full = findFreeSpot(taken, 360, 420, 740, 20);
    expect(full.y).to.be.at.least(420);
    for (const r of taken) expect(overlaps(full, r)).to.equal(false);
    expect(contentHeight([...taken, full])).to.equal(full.y + 420);
  });
});

describe('layout keys', () => {
  it('moves with arrows, resizes with Shift or on the resize handle, removes on the slot', () => {
    expect(keyAction({ ...noMods, key: 'ArrowLeft' }, 20, 'slot')).to.deep.equal({
      kind: 'move',
      dx: -20,
      dy: 0,
    });
    expect(keyAction({ ...noMods, key: 'ArrowDown', shiftKey: true }, 20, 'slot')).to.deep.equal({
      kind: 'resize',
      dw: 0,
      dh: 20,
    });
    expect(keyAction({ ...noMods, key: 'ArrowRight' }, 10, 'resize-handle')).to.deep.equal({
      kind: 'resize',
      dw: 10,
      dh: 0,
    });
    expect(keyAction({ ...noMods, key: 'Delete' }, 20, 'slot')).to.deep.equal({ kind: 'remove' });
  });

  it('leaves other keys, modified keys and keys from inside the slot to the browser', () => {
    expect(keyAction({ ...noMods, key: 'Delete' }, 20, 'move-handle')).to.equal(undefined);
    expect(keyAction({ ...noMods, key: 'ArrowUp', ctrlKey: true }, 20, 'slot')).to.equal(undefined);
    expect(keyAction({ ...noMods, key: 'ArrowUp' }, 20, 'other')).to.equal(undefined);
    expect(keyAction({ ...noMods, key: 'constructor' }, 20, 'slot')).to.equal(undefined);
  });
});
