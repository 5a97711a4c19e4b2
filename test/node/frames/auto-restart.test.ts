import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  AUTO_RESTART_BASE_MS,
  AUTO_RESTARTS,
  AutoRestart,
} from '../../../shell/frames/auto-restart.ts';
import { FakeClock } from '../../helpers/fake-clock.ts';

/** An AutoRestart on a fake clock, counting its remounts. */
function setup() {
  const clock = new FakeClock();
  const restarts: number[] = [];
  const auto = new AutoRestart(() => restarts.push(clock.now()), { clock });
  return { clock, restarts, auto };
}

describe('AutoRestart (backoff of an unresponsive widget’s remounts)', () => {
  it('remounts after 15 s, then 30 s, then 60 s, and then stops', async () => {
    const { clock, restarts, auto } = setup();
    for (let i = 0; i < AUTO_RESTARTS + 2; i++) {
      auto.unresponsive();
      await clock.advance(10 * AUTO_RESTART_BASE_MS);
    }
    const base = AUTO_RESTART_BASE_MS;
    // Each remount is scheduled when the previous step's advance began.
    assert.deepEqual(restarts, [base, 10 * base + 2 * base, 20 * base + 4 * base]);
    assert.equal(AUTO_RESTARTS, 3);
    assert.equal(auto.pending, false);
  });

  it('does not remount before the delay is over (control: it does right at the delay)', async () => {
    const { clock, restarts, auto } = setup();
    auto.unresponsive();
    await clock.advance(AUTO_RESTART_BASE_MS - 1);
    assert.deepEqual(restarts, []);
    assert.equal(auto.pending, true);
    await clock.advance(1);
    assert.deepEqual(restarts, [AUTO_RESTART_BASE_MS]);
    assert.equal(auto.pending, false);
  });

  it('a widget that answers again cancels the remount and starts the backoff over', async () => {
    const { clock, restarts, auto } = setup();
    auto.unresponsive();
    await clock.advance(AUTO_RESTART_BASE_MS); // first remount
    auto.unresponsive(); // second delay: 30 s
    await clock.advance(AUTO_RESTART_BASE_MS);
    auto.responsive();
    await clock.advance(4 * AUTO_RESTART_BASE_MS);
    assert.equal(restarts.length, 1);
    // Control: the next hang waits 15 s again, not 60 s.
    auto.unresponsive();
    await clock.advance(AUTO_RESTART_BASE_MS);
    assert.equal(restarts.length, 2);
  });

  it('a new session cancels the pending remount but keeps the count', async () => {
    const { clock, restarts, auto } = setup();
    auto.unresponsive();
    auto.cancel();
    await clock.advance(2 * AUTO_RESTART_BASE_MS);
    assert.deepEqual(restarts, []);
    auto.unresponsive(); // the second of three: 30 s
    await clock.advance(AUTO_RESTART_BASE_MS);
    assert.deepEqual(restarts, []);
    await clock.advance(AUTO_RESTART_BASE_MS);
    assert.equal(restarts.length, 1);
  });

  it('cancel() leaves no timer running', async () => {
    const { clock, restarts, auto } = setup();
    auto.unresponsive();
    assert.equal(clock.running, 1);
    auto.cancel();
    assert.equal(clock.running, 0);
    await clock.advance(10 * AUTO_RESTART_BASE_MS);
    assert.deepEqual(restarts, []);
  });

  it('a crashed widget is remounted at once, counted toward the same limit', async () => {
    const { clock, restarts, auto } = setup();
    auto.crashed();
    await clock.advance(0);
    assert.deepEqual(restarts, [0]);
    // Control: a hang after it waits the second step of the backoff (30 s), not 15 s.
    auto.unresponsive();
    await clock.advance(2 * AUTO_RESTART_BASE_MS - 1);
    assert.equal(restarts.length, 1);
    await clock.advance(1);
    assert.equal(restarts.length, 2);
    // A widget that crashes on every start is not remounted without end.
    for (let i = 0; i < AUTO_RESTARTS; i++) {
      auto.crashed();
      await clock.advance(0);
    }
    assert.equal(restarts.length, AUTO_RESTARTS);
  });
});
