import { expect } from '@open-wc/testing';

import { Outbox } from '../../sdk/protocol/outbox.ts';

describe('Outbox', () => {
  it('hands everything pushed in one turn to one flush, on a microtask', async () => {
    const flushes: string[][] = [];
    const outbox: Outbox = new Outbox(() => flushes.push(outbox.take()));
    expect(outbox.push('a')).to.equal(0);
    expect(outbox.push('b')).to.equal(1);
    outbox.schedule();
    expect(flushes).to.deep.equal([]);
    await Promise.resolve();
    expect(flushes).to.deep.equal([['a', 'b']]);
    expect(outbox.parts).to.deep.equal([]);
    outbox.push('c');
    await Promise.resolve();
    expect(flushes).to.deep.equal([['a', 'b'], ['c']]);
  });

  it('keeps what a flush does not take, and flushes again when asked', async () => {
    let open = false;
    const sent: string[] = [];
    const outbox: Outbox = new Outbox(() => {
      if (open) sent.push(...outbox.take());
    });
    outbox.push('a');
    await Promise.resolve();
    expect(sent).to.deep.equal([]);
    expect(outbox.parts).to.deep.equal(['a']);
    open = true;
    outbox.schedule();
    await Promise.resolve();
    expect(sent).to.deep.equal(['a']);
  });

  it('lets its owner replace a queued part in place, keeping the order', async () => {
    const flushes: string[][] = [];
    const outbox: Outbox = new Outbox(() => flushes.push(outbox.take()));
    outbox.push('a');
    const index = outbox.push('state v1');
    outbox.push('b');
    outbox.parts[index] = 'state v2';
    await Promise.resolve();
    expect(flushes).to.deep.equal([['a', 'state v2', 'b']]);
  });
});
