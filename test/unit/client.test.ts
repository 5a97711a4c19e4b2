import { expect } from '@open-wc/testing';

import { Client, MAX_QUEUED_OPS } from '../../sdk/client.ts';
import type { ClientLink, LinkSink } from '../../sdk/link.ts';
import type { McError } from '../../sdk/protocol/index.ts';

const code = (promise: Promise<unknown>) =>
  promise.then(
    () => 'resolved',
    (error: McError) => error.code,
  );

describe('Client before the handshake', () => {
  it('refuses a request past the queue bound without leaving it pending', async () => {
    const client = new Client(new Promise<ClientLink>(() => {}));
    for (let i = 0; i < MAX_QUEUED_OPS; i++) client.publish('app.item.added', i);
    expect(await code(client.state.get('other'))).to.equal('QUEUE_FULL');
    expect(client.pendingCalls).to.equal(0);
    client.close();
  });

  it('refuses a malformed app id at once, as it does a topic, leaving nothing pending', () => {
    const client = new Client(new Promise<ClientLink>(() => {}));
    // Upper case, a space, a Cyrillic look-alike, 10 KB and 100 KB long, empty, not a string.
    const bad = ['Todo', 'to do', 'tоdo', 'x'.repeat(10_240), 'x'.repeat(100_000), '', 42];
    for (const app of bad as string[]) {
      expect(() => client.state.get(app), String(app).slice(0, 10)).to.throw(/not an app id/);
      expect(() => client.state.watch(app, () => undefined)).to.throw(/not an app id/);
      try {
        void client.state.get(app);
      } catch (error) {
        expect((error as McError).code).to.equal('INVALID_ARGUMENT');
      }
    }
    expect(client.pendingCalls).to.equal(0);
    // The control: a good id is sent and waits for its answer.
    void client.state.get('todo').catch(() => undefined);
    expect(client.pendingCalls).to.equal(1);
    client.close();
  });

  it('closes the broker port it is handed after close() was called during the handshake', async () => {
    let hand!: (link: ClientLink) => void;
    const client = new Client(new Promise<ClientLink>((resolve) => (hand = resolve)));
    const request = code(client.state.get('other'));
    client.close();
    expect(await request).to.equal('APP_DISCONNECTED');
    const { port1, port2 } = new MessageChannel();
    const seen: unknown[] = [];
    port1.onmessage = (event) => seen.push(event.data);
    let closedLink = false;
    hand({ port: port2, context: undefined as never, close: () => (closedLink = true) });
    await client.ready.catch(() => undefined);
    expect(closedLink).to.equal(true);
    // A closed port2 delivers nothing: a post from it is dropped. The control, posted just
    // after it on an open channel, arrives: had the first been delivered, it had time to.
    const control = new MessageChannel();
    const arrived = new Promise((resolve) => (control.port1.onmessage = resolve));
    port2.postMessage('after close');
    control.port2.postMessage('control');
    await arrived;
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(seen).to.deep.equal([]);
    control.port1.close();
  });
});

/** A client on a real channel, and the broker's end of it. */
function wired() {
  const { port1, port2 } = new MessageChannel();
  const client = new Client({ port: port2, context: undefined as never });
  /**
   * Resolves with the operations of the next port message the client sends that holds an
   * operation `op` (by default: anything but acknowledgements, which follow every batch).
   */
  const next = (op?: string) =>
    new Promise<Array<Record<string, unknown>>>((resolve) => {
      port1.onmessage = (event: MessageEvent) => {
        const ops = JSON.parse(event.data as string) as Array<Record<string, unknown>>;
        if (ops.some((o) => (op ? o.op === op : o.op !== 'ack'))) resolve(ops);
      };
    });
  const answer = (...ops: unknown[]) => port1.postMessage(JSON.stringify(ops));
  const close = () => {
    client.close();
    port1.close();
  };
  return { client, next, answer, close };
}

const event = (topic: string, data: unknown) => ({ op: 'evt', topic, source: 'app', data });

describe('Client subscriptions', () => {
  it('holds 1,000 identical subscribes as one: one wire subscribe, one call per event', async () => {
    const { client, next, answer, close } = wired();
    const calls: unknown[] = [];
    const handler = (e: { data: unknown }) => calls.push(e.data);
    const sent = next();
    const subs = Array.from({ length: 1000 }, () => client.subscribe('app.item.added', handler));
    expect(new Set(subs).size).to.equal(1);
    const ops = await sent;
    expect(ops).to.have.length(1);
    expect(ops[0]).to.include({ op: 'sub', pattern: 'app.item.added' });
    const { id } = ops[0]!;
    const acked = next('ack');
    answer({ op: 'ok', id }, event('app.item.added', 1), event('app.item.added', 2));
    await subs[0]!.ready;
    expect(await acked).to.deep.equal([{ op: 'ack', n: 3 }]);
    expect(calls).to.deep.equal([1, 2]);
    // One call ends the pair, and further calls of it send nothing more.
    const cancelled = next();
    subs[0]!();
    subs[999]!();
    client.publish('app.item.added', 'control');
    expect(await cancelled).to.deep.equal([
      { op: 'cancel', id },
      { op: 'pub', topic: 'app.item.added', data: 'control' },
    ]);
    close();
  });

  it('shares one wire subscription among the handlers of a pattern until the last leaves', async () => {
    const { client, next, answer, close } = wired();
    const seen: string[] = [];
    const sent = next();
    const a = client.subscribe('app.item.added', () => seen.push('a'));
    const b = client.subscribe('app.item.added', () => seen.push('b'));
    const wide = client.subscribe('app.*.added', () => seen.push('wide'));
    const ops = await sent;
    expect(ops.map((o) => o.pattern)).to.deep.equal(['app.item.added', 'app.*.added']);
    expect(a.ready).to.equal(b.ready);
    const acked = next('ack');
    answer(event('app.item.added', 1));
    await acked;
    expect(seen).to.deep.equal(['a', 'b', 'wide']);
    // The first handler leaving sends nothing (the publish is the control that a batch left)…
    const first = next();
    a();
    client.publish('app.item.added', 'control');
    expect((await first).map((o) => o.op)).to.deep.equal(['pub']);
    // …the last one cancels the wire subscription.
    const last = next();
    b();
    expect(await last).to.deep.equal([{ op: 'cancel', id: ops[0]!.id }]);
    wide();
    close();
  });

  it('forgets a subscription the broker refused or ended, and asks again on the next subscribe', async () => {
    const { client, next, answer, close } = wired();
    const errors: string[] = [];
    client.onError((e) => errors.push(e.code));
    const calls: unknown[] = [];
    const handler = (e: { data: unknown }) => calls.push(e.data);
    const sent = next();
    const refused = client.subscribe('app.item.added', handler);
    const [first] = await sent;
    answer({ op: 'err', id: first!.id, code: 'NOT_PERMITTED', message: 'no' });
    expect(await code(refused.ready)).to.equal('NOT_PERMITTED');
    // Asked again: a new wire subscribe (not the refused one returned), accepted this time.
    const again = next();
    const sub = client.subscribe('app.item.added', handler);
    expect(sub).not.to.equal(refused);
    const [second] = await again;
    expect(second).to.include({ op: 'sub' });
    expect(second!.id).not.to.equal(first!.id);
    let acked = next('ack');
    answer({ op: 'ok', id: second!.id }, event('app.item.added', 1));
    await sub.ready;
    await acked;
    expect(calls).to.deep.equal([1]);
    // The broker ends it (a permission revoked): the error is reported, events stop, and
    // subscribing again asks the broker again.
    acked = next('ack');
    answer(
      { op: 'err', id: second!.id, code: 'NOT_PERMITTED', message: 'revoked' },
      event('app.item.added', 2),
    );
    await acked;
    expect(errors).to.deep.equal(['NOT_PERMITTED']);
    expect(calls).to.deep.equal([1]);
    const third = next();
    client.subscribe('app.item.added', handler);
    expect((await third)[0]).to.include({ op: 'sub', pattern: 'app.item.added' });
    close();
  });
});

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('Client moved to a new broker', () => {
  it('asks the new broker again for what it held, under the same ids, and delivers nothing twice', async () => {
    const old = new MessageChannel();
    let sink!: LinkSink;
    const link: ClientLink = {
      port: old.port2,
      context: undefined as never,
      bind: (s) => (sink = s),
    };
    const client = new Client(link);
    const sentOld: Array<Record<string, unknown>> = [];
    old.port1.onmessage = (e: MessageEvent) => sentOld.push(...JSON.parse(e.data as string));
    const events: unknown[] = [];
    const states: number[] = [];
    const held = client.subscribe('app.item.added', (e) => events.push(e.data));
    const dropped = client.subscribe('app.item.removed', () => undefined);
    const watch = client.state.watch('other', (s) => states.push(s.version));
    await until(() => sentOld.length === 3);
    const ids = Object.fromEntries(sentOld.map((o) => [String(o.pattern ?? o.app), o.id]));
    old.port1.postMessage(
      JSON.stringify([
        { op: 'ok', id: ids['app.item.added'] },
        { op: 'ok', id: ids['app.item.removed'] },
        { op: 'ok', id: ids.other },
        { op: 'state', id: ids.other, app: 'other', version: 3, value: 'c' },
      ]),
    );
    await Promise.all([held.ready, dropped.ready, watch.ready]);
    expect(states).to.deep.equal([3]);
    dropped();
    // Asked and never answered when the broker died: a read and a subscribe.
    const read = client.state.get<string>('third');
    const late = client.subscribe('app.item.moved', (e) => events.push(e.data));
    await until(() => sentOld.some((o) => o.pattern === 'app.item.moved'));
    const readId = sentOld.find((o) => o.op === 'get')!.id;
    const lateId = sentOld.find((o) => o.pattern === 'app.item.moved')!.id;

    const fresh = new MessageChannel();
    const sentNew: Array<Record<string, unknown>> = [];
    const first = new Promise((resolve) => {
      fresh.port1.onmessage = (e: MessageEvent) => {
        sentNew.push(...JSON.parse(e.data as string));
        resolve(undefined);
      };
    });
    const before = sentOld.length;
    sink.port(fresh.port2);
    await first;
    // Everything held, once each, under its old id; the ended subscription is not asked for.
    expect(sentNew.map((o) => `${o.op} ${o.pattern ?? o.app} ${o.id}`).sort()).to.deep.equal(
      [
        `get third ${readId}`,
        `sub app.item.added ${ids['app.item.added']}`,
        `sub app.item.moved ${lateId}`,
        `watch other ${ids.other}`,
      ].sort(),
    );
    // The old broker's port is closed: what arrives on it now is not read…
    old.port1.postMessage(JSON.stringify([event('app.item.added', 'old')]));
    // …and the new one answers the waiting requests and carries events; the watch's repeated
    // snapshot (version 3) is not delivered again, the next version is.
    fresh.port1.postMessage(
      JSON.stringify([
        { op: 'ok', id: readId, value: { app: 'third', version: 1, value: 'v' } },
        { op: 'ok', id: lateId },
        { op: 'ok', id: ids['app.item.added'] },
        { op: 'ok', id: ids.other },
        { op: 'state', id: ids.other, app: 'other', version: 3, value: 'c' },
        event('app.item.added', 'new'),
        { op: 'state', id: ids.other, app: 'other', version: 4, value: 'd' },
      ]),
    );
    expect((await read).value).to.equal('v');
    await late.ready;
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(events).to.deep.equal(['new']);
    expect(states).to.deep.equal([3, 4]);
    expect(sentOld.length).to.equal(before);
    expect(client.pendingCalls).to.equal(0);
    client.close();
    old.port1.close();
    fresh.port1.close();
  });
});

describe('Client watches', () => {
  it('holds 1,000 identical watches as one wire watch; a handler joining later gets the snapshot at once; the last one leaving ends it', async () => {
    const { client, next, answer, close } = wired();
    const seen: string[] = [];
    const first = (s: { version: number }) => seen.push(`first ${s.version}`);
    const sent = next();
    const subs = Array.from({ length: 1000 }, () => client.state.watch('other', first));
    expect(new Set(subs).size).to.equal(1);
    const ops = await sent;
    expect(ops).to.have.length(1);
    expect(ops[0]).to.include({ op: 'watch', app: 'other' });
    const { id } = ops[0]!;
    let acked = next('ack');
    answer({ op: 'ok', id }, { op: 'state', id, app: 'other', version: 2, value: 'b' });
    await subs[0]!.ready;
    await acked;
    expect(seen).to.deep.equal(['first 2']);
    // A second handler shares the watch: no wire request (the publish is the control that a
    // batch left), and it starts from the version the first one has.
    const control = next();
    const second = client.state.watch('other', (s) => seen.push(`second ${s.version}`));
    client.publish('app.item.added', 'control');
    expect((await control).map((o) => o.op)).to.deep.equal(['pub']);
    await second.ready;
    expect(seen).to.deep.equal(['first 2', 'second 2']);
    acked = next('ack');
    answer({ op: 'state', id, app: 'other', version: 3, value: 'c' });
    await acked;
    expect(seen).to.deep.equal(['first 2', 'second 2', 'first 3', 'second 3']);
    // The first leaving sends nothing; the last one cancels the watch.
    const left = next();
    subs[0]!();
    client.publish('app.item.added', 'control');
    expect((await left).map((o) => o.op)).to.deep.equal(['pub']);
    const cancelled = next();
    second();
    expect(await cancelled).to.deep.equal([{ op: 'cancel', id }]);
    close();
  });
});

describe('Client data that is not JSON', () => {
  /** A connected client whose broker side records every operation sent. */
  function connected() {
    const { port1, port2 } = new MessageChannel();
    const sent: unknown[] = [];
    // Everything sent in one turn leaves as one port message: the first one is all of it.
    const arrived = new Promise<void>((resolve) => {
      port1.onmessage = (event) => {
        sent.push(...(JSON.parse(event.data as string) as unknown[]));
        resolve();
      };
    });
    const client = new Client({ port: port2, context: undefined as never });
    return { client, sent, arrived, close: () => (client.close(), port1.close()) };
  }
  const thrown = (run: () => void) => {
    try {
      run();
      return 'sent';
    } catch (error) {
      return `${(error as McError).code} ${(error as McError).message}`;
    }
  };

  it('refuses what JSON would change without a word, synchronously, and sends nothing', async () => {
    const { client, sent, arrived, close } = connected();
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    class Point {
      x = 1;
    }
    const refused: Array<[unknown, string]> = [
      [() => 1, 'Function'],
      [{ a: () => 1 }, 'Function'],
      [new Map([[1, 2]]), 'Map'],
      [new Set([1]), 'Set'],
      [{ when: new Date(0) }, 'Date'],
      [[NaN], 'Number'],
      [{ n: Infinity }, 'Number'],
      [[1, undefined], 'Undefined'],
      [Symbol('s'), 'Symbol'],
      [{ big: 10n }, 'BigInt'],
      [new Point(), 'Object'],
      [cyclic, ''], // each engine words the cycle its own way
    ];
    for (const [data, what] of refused) {
      expect(thrown(() => client.publish('app.item.added', data))).to.match(
        new RegExp(`^INVALID_ARGUMENT not JSON: .*${what}`),
      );
    }
    expect(thrown(() => client.state.set(new Map()))).to.match(/^INVALID_ARGUMENT/);
    // The positive control: JSON values, nested and not, leave unchanged in the same turn.
    // A property that is undefined is left out, as JSON does.
    const good = [
      { a: [1, 'x', null, true, { b: -0.5 }], gone: undefined },
      Object.create(null) as object,
      0,
      '',
    ];
    for (const data of good) client.publish('app.item.added', data);
    client.publish('app.item.cleared');
    await arrived;
    const pub = (data: unknown) => ({ op: 'pub', topic: 'app.item.added', data });
    expect(sent).to.deep.equal([
      pub({ a: [1, 'x', null, true, { b: -0.5 }] }),
      pub({}),
      pub(0),
      pub(''),
      { op: 'pub', topic: 'app.item.cleared' },
    ]);
    close();
  });
});
