import { expect } from '@open-wc/testing';

import {
  Broker,
  SUSPEND_AFTER_MESSAGES,
  SUSPEND_AFTER_STRIKES,
} from '../../shell/broker/broker.ts';
import { SUBSCRIBER_WINDOW } from '../../shell/broker/connection.ts';
import type { ManifestInput } from '../../sdk/protocol/index.ts';
import { fakePortPair, settle, type FakePort } from '../helpers/fake-port.ts';

const URL_A = 'https://apps.example/a';

function manifest(id: string, extra: Partial<ManifestInput> = {}): ManifestInput {
  return { id, name: id, url: URL_A, ...extra };
}

/** Attaches a fake client for `appId`; returns the client side of the port. */
function attach(broker: Broker, id: string, appId: string): FakePort {
  const [brokerSide, clientSide] = fakePortPair();
  broker.attach(id, appId, brokerSide);
  return clientSide;
}

function send(port: FakePort, ...ops: unknown[]): void {
  port.postMessage(JSON.stringify(ops));
}

describe('Broker', () => {
  let broker: Broker;
  let clock: number;

  beforeEach(() => {
    clock = 0;
    broker = new Broker({}, () => clock);
    broker.register(manifest('cal', { publishes: ['cal.date.*'], reads: ['todo'] }));
    broker.register(
      manifest('todo', {
        subscribes: ['cal.*.*', 'cal.date.selected'],
        publishes: ['todo.item.*'],
      }),
    );
  });

  it('delivers an event to a matching subscriber with the source stamped by the broker', async () => {
    const cal = attach(broker, 's1', 'cal');
    const todo = attach(broker, 's2', 'todo');
    send(todo, { op: 'sub', id: 1, pattern: 'cal.*.*' });
    await settle();
    expect(todo.ops()).to.deep.include({ op: 'ok', id: 1 });
    send(cal, { op: 'pub', topic: 'cal.date.selected', data: { date: '2026-11-24' } });
    await settle();
    expect(todo.ops()).to.deep.include({
      op: 'evt',
      topic: 'cal.date.selected',
      source: 'cal',
      data: { date: '2026-11-24' },
    });
  });

  it('refuses a payload or state that does not match its schema, naming the path', async () => {
    broker.register(
      manifest('cal', {
        publishes: ['cal.date.*'],
        schemas: {
          topics: {
            'cal.date.selected': {
              type: 'object',
              properties: { date: { type: 'string' } },
              required: ['date'],
            },
          },
          state: { type: 'object', properties: { open: { type: 'integer' } } },
        },
      }),
    );
    broker.register(manifest('todo', { subscribes: ['cal.*.*'], reads: ['cal'] }));
    const cal = attach(broker, 's1', 'cal');
    const todo = attach(broker, 's2', 'todo');
    send(todo, { op: 'sub', id: 1, pattern: 'cal.*.*' }, { op: 'watch', id: 2, app: 'cal' });
    await settle();
    send(
      cal,
      { op: 'pub', topic: 'cal.date.selected', data: { date: 7 } },
      { op: 'pub', topic: 'cal.date.selected' },
      { op: 'pub', topic: 'cal.date.selected', data: { date: '2026-11-24' } },
      // A topic without a schema is not checked.
      { op: 'pub', topic: 'cal.date.cleared', data: 7 },
      { op: 'set', value: { open: 'six' } },
      { op: 'set', value: { open: 6 } },
    );
    await settle();
    const errors = cal.ops().filter((o) => o.op === 'err');
    // The refusal names the operation and topic, then the failing path.
    expect(errors.map((e) => [e.code, e.message])).to.deep.equal([
      ['INVALID_ARGUMENT', 'publish "cal.date.selected": data.date: expected string, got number'],
      ['INVALID_ARGUMENT', 'publish "cal.date.selected": data: expected object, got null'],
      ['INVALID_ARGUMENT', 'state.open: expected integer, got string'],
    ]);
    expect(errors[0]).to.include({ topic: 'cal.date.selected' });
    const got = todo.ops();
    expect(got.filter((o) => o.op === 'evt').map((o) => o.data)).to.deep.equal([
      { date: '2026-11-24' },
      7,
    ]);
    expect(got.filter((o) => o.op === 'state').map((o) => o.value)).to.deep.equal([
      null,
      { open: 6 },
    ]);
    expect(broker.stats().violations.schema).to.equal(3);
  });

  it('refuses every payload of a topic whose schema it will not run, and says so at registration', async () => {
    const violations: string[] = [];
    broker = new Broker(
      { violation: (v) => violations.push(`${v.kind} ${v.detail}`) },
      () => clock,
    );
    broker.register(manifest('todo', { subscribes: ['cal.*.*'] }));
    broker.register(
      manifest('cal', {
        publishes: ['cal.date.*'],
        schemas: {
          topics: {
            // Exponential backtracking on "aaaa…!": refused before it is ever compiled.
            'cal.date.selected': { type: 'string', pattern: '^(a+)+$' },
            'cal.date.cleared': { type: 'string' },
          },
        },
      }),
    );
    expect(violations).to.have.length(1);
    expect(violations[0]).to.match(
      /^schema schema schemas\.topics\.cal\.date\.selected\.pattern refused: a quantified group/,
    );
    const cal = attach(broker, 's1', 'cal');
    const todo = attach(broker, 's2', 'todo');
    send(todo, { op: 'sub', id: 1, pattern: 'cal.*.*' });
    await settle();
    send(
      cal,
      { op: 'pub', topic: 'cal.date.selected', data: `${'a'.repeat(30)}!` },
      { op: 'pub', topic: 'cal.date.cleared', data: 'ok' },
    );
    await settle();
    expect(
      cal
        .ops()
        .filter((o) => o.op === 'err')
        .map((e) => e.code),
    ).to.deep.equal(['INVALID_ARGUMENT']);
    expect(
      todo
        .ops()
        .filter((o) => o.op === 'evt')
        .map((o) => o.data),
    ).to.deep.equal(['ok']);
  });

  it('refuses an envelope that claims its own source', async () => {
    const cal = attach(broker, 's1', 'cal');
    const todo = attach(broker, 's2', 'todo');
    send(todo, { op: 'sub', id: 1, pattern: 'cal.*.*' });
    await settle();
    send(cal, { op: 'pub', topic: 'cal.date.selected', source: 'todo', data: 1 });
    await settle();
    expect(todo.ops().filter((o) => o.op === 'evt')).to.have.length(0);
    expect(cal.ops()[0]).to.include({ op: 'err', code: 'MALFORMED_MESSAGE' });
    expect(broker.stats().violations.malformed).to.equal(1);
  });

  it('refuses publishing outside the manifest like a topic that does not exist', async () => {
    const cal = attach(broker, 's1', 'cal');
    const todo = attach(broker, 's2', 'todo');
    send(todo, { op: 'sub', id: 1, pattern: 'cal.*.*' });
    send(cal, { op: 'pub', topic: 'cal.secret.leaked' }, { op: 'pub', topic: 'todo.item.added' });
    await settle();
    const errors = cal.ops().filter((o) => o.op === 'err');
    expect(errors.map((e) => e.code)).to.deep.equal(['NOT_PERMITTED', 'NOT_PERMITTED']);
    // Named (operation and target), and otherwise word for word the same.
    expect(errors[0]).to.include({
      message: 'publish "cal.secret.leaked": not permitted or does not exist',
      operation: 'publish',
      target: 'cal.secret.leaked',
    });
    expect(errors[1]).to.include({
      message: 'publish "todo.item.added": not permitted or does not exist',
      target: 'todo.item.added',
    });
    expect(todo.ops().filter((o) => o.op === 'evt')).to.have.length(0);
  });

  it('refuses subscriptions wider than the manifest grants', async () => {
    const todo = attach(broker, 's2', 'todo');
    send(
      todo,
      { op: 'sub', id: 1, pattern: '*.*.*' },
      { op: 'sub', id: 2, pattern: 'cal.date.selected' },
      { op: 'sub', id: 3, pattern: 'cal.*.*.*' },
    );
    await settle();
    const replies = todo.ops();
    expect(replies).to.deep.include({ op: 'ok', id: 2 });
    expect(replies.find((r) => r.id === 1)).to.deep.equal({
      op: 'err',
      id: 1,
      code: 'NOT_PERMITTED',
      message: 'subscribe "*.*.*": not permitted or does not exist',
      operation: 'subscribe',
      target: '*.*.*',
    });
    expect(replies.find((r) => r.id === 3)).to.include({ op: 'err', code: 'NOT_PERMITTED' });
  });

  it('matches wildcards per segment only', async () => {
    broker.register(manifest('all', { subscribes: ['*.*.*'] }));
    const cal = attach(broker, 's1', 'cal');
    const all = attach(broker, 's3', 'all');
    send(all, { op: 'sub', id: 1, pattern: '*.date.*' }, { op: 'sub', id: 2, pattern: 'cal.*.x' });
    await settle();
    send(cal, { op: 'pub', topic: 'cal.date.selected' }, { op: 'pub', topic: 'cal.date.cleared' });
    await settle();
    const topics = all
      .ops()
      .filter((o) => o.op === 'evt')
      .map((o) => o.topic);
    expect(topics).to.deep.equal(['cal.date.selected', 'cal.date.cleared']);
  });

  it('keeps per-publisher order and batches one turn into one port message', async () => {
    broker.register(manifest('all', { subscribes: ['*.*.*'] }));
    const cal = attach(broker, 's1', 'cal');
    const all = attach(broker, 's3', 'all');
    send(all, { op: 'sub', id: 1, pattern: 'cal.*.*' });
    await settle();
    const before = all.received.length;
    send(
      cal,
      ...Array.from({ length: 100 }, (_, i) => ({ op: 'pub', topic: 'cal.date.set', data: i })),
    );
    await settle();
    expect(all.received.length - before).to.equal(1);
    const data = all
      .ops()
      .filter((o) => o.op === 'evt')
      .map((o) => o.data);
    expect(data).to.deep.equal(Array.from({ length: 100 }, (_, i) => i));
  });

  it('gives a watcher the snapshot first, then each version, and coalesces within a turn', async () => {
    const cal = attach(broker, 's1', 'cal');
    const todo = attach(broker, 's2', 'todo');
    send(todo, { op: 'set', value: { open: 3 } });
    await settle();
    send(cal, { op: 'watch', id: 7, app: 'todo' });
    await settle();
    expect(cal.ops()).to.deep.include({
      op: 'state',
      id: 7,
      app: 'todo',
      version: 1,
      value: { open: 3 },
    });
    send(todo, { op: 'set', value: { open: 2 } }, { op: 'set', value: { open: 1 } });
    await settle();
    const states = cal.ops().filter((o) => o.op === 'state');
    expect(states.map((s) => s.version)).to.deep.equal([1, 3]);
    expect(states.at(-1)!.value).to.deep.equal({ open: 1 });
  });

  it('denies reading state outside `reads` exactly like an unknown app', async () => {
    const todo = attach(broker, 's2', 'todo');
    send(todo, { op: 'get', id: 1, app: 'cal' }, { op: 'get', id: 2, app: 'nosuchapp' });
    await settle();
    const [a, b] = todo.ops();
    // The same answer but for the name it repeats.
    const named = (target: string) => ({
      message: `state.get "${target}": not permitted or does not exist`,
      target,
    });
    expect(a).to.deep.equal({ ...b, id: 1, ...named('cal') });
    expect(b).to.deep.include({ op: 'err', code: 'NOT_PERMITTED', operation: 'state.get' });
    expect(b).to.include(named('nosuchapp'));
  });

  it('lets an app read back its own public state without `reads`', async () => {
    const todo = attach(broker, 's2', 'todo');
    send(todo, { op: 'set', value: 1 }, { op: 'get', id: 1, app: 'todo' });
    await settle();
    expect(todo.ops().find((o) => o.id === 1)).to.deep.include({
      op: 'ok',
      value: { app: 'todo', version: 1, value: 1 },
    });
  });

  it('hands out copies of state, so a reader cannot change what others see', async () => {
    const cal = attach(broker, 's1', 'cal');
    const todo = attach(broker, 's2', 'todo');
    send(todo, { op: 'set', value: { items: [1, 2] } });
    await settle();
    send(cal, { op: 'get', id: 1, app: 'todo' });
    await settle();
    const reply = cal.ops().find((o) => o.id === 1) as { value: { value: { items: number[] } } };
    reply.value.value.items.push(99);
    expect(broker.states()[0]!.value).to.deep.equal({ items: [1, 2] });
  });

  it('counts malformed input without throwing and keeps serving others', async () => {
    const cal = attach(broker, 's1', 'cal');
    const todo = attach(broker, 's2', 'todo');
    send(todo, { op: 'sub', id: 1, pattern: 'cal.*.*' });
    const junk: unknown[] = [
      42,
      null,
      '{',
      '[{"op":"pub"}]',
      '{"__proto__":{"x":1}}',
      'x'.repeat(2e6),
    ];
    for (const j of junk) cal.postMessage(j);
    cal.postMessage(new ArrayBuffer(8));
    await settle();
    expect(broker.stats().rejected).to.equal(junk.length + 1);
    send(cal, { op: 'pub', topic: 'cal.date.selected', data: 'ok' });
    await settle();
    expect(todo.ops().filter((o) => o.op === 'evt')).to.have.length(1);
    expect(({} as Record<string, unknown>).x).to.equal(undefined);
  });

  it('rejects payloads nested deeper than the limit', async () => {
    const cal = attach(broker, 's1', 'cal');
    let deep: unknown = 0;
    for (let i = 0; i < 40; i++) deep = [deep];
    send(cal, { op: 'pub', topic: 'cal.date.selected', data: deep });
    await settle();
    expect(cal.ops()[0]).to.include({ op: 'err' });
    expect(broker.stats().violations.bounds).to.equal(1);
  });

  it('answers every malformed request it can identify with that request’s id', async () => {
    const todo = attach(broker, 's2', 'todo');
    let deep: unknown = 0;
    for (let i = 0; i < 40; i++) deep = [deep];
    // More than the 20 error replies a second that other refusals get: requests cost tokens.
    const bad = Array.from({ length: 30 }, (_, i) => ({ op: 'get', id: 100 + i, app: 'Cal' }));
    send(
      todo,
      { op: 'get', id: 1, app: 'Cal' },
      { op: 'watch', id: 2, app: 'c'.repeat(10_240) },
      { op: 'sub', id: 3, pattern: 'cal.**' },
      { op: 'sub', id: 4, pattern: 'cal.*.*', extra: deep },
      { op: 'get', id: -1, app: 'cal' },
      { op: 'cancel', id: 5, extra: 1 },
      ...bad,
      { op: 'sub', id: 6, pattern: 'cal.date.selected' },
    );
    await settle();
    const errs = todo.ops().filter((o) => o.op === 'err');
    // Without a valid id (-1), or not a request (cancel), there is nothing to answer by.
    expect(errs.map((o) => o.id)).to.deep.equal([
      1,
      2,
      3,
      4,
      undefined,
      undefined,
      ...bad.map((o) => o.id),
    ]);
    expect(errs.every((o) => o.code === 'MALFORMED_MESSAGE')).to.equal(true);
    // The valid request after them is served.
    expect(todo.ops().find((o) => o.id === 6)).to.include({ op: 'ok' });
  });

  it('rate-limits a flooder, then suspends it and stops reading its port', async () => {
    const suspended: string[] = [];
    broker = new Broker({ suspended: (id) => suspended.push(id) }, () => clock);
    broker.register(manifest('cal', { publishes: ['cal.date.*'], limits: { burst: 10 } }));
    const cal = attach(broker, 's1', 'cal');
    const flood = Array.from({ length: 20 }, () => ({ op: 'pub', topic: 'cal.date.selected' }));
    send(cal, ...flood);
    await settle();
    expect(cal.ops().filter((o) => o.code === 'RATE_LIMITED')).to.have.length(1);
    for (let i = 0; i < SUSPEND_AFTER_STRIKES / 100; i++) {
      send(cal, ...Array.from({ length: 100 }, () => flood[0]));
    }
    await settle();
    expect(suspended).to.deep.equal(['s1']);
    expect(cal.ops().some((o) => o.code === 'SUSPENDED')).to.equal(true);
    expect(broker.stats().connections).to.equal(0);
  });

  it("logs a flooder's refusals once per burst and counts every one, so others' entries stay", async () => {
    const seen: string[] = [];
    broker = new Broker({ violation: (v) => seen.push(`${v.app} ${v.kind}`) }, () => clock);
    broker.register(manifest('cal', { publishes: ['cal.date.*'], limits: { burst: 10 } }));
    broker.register(manifest('todo', { publishes: ['todo.item.*'] }));
    const todo = attach(broker, 's2', 'todo');
    send(todo, { op: 'pub', topic: 'cal.date.selected' });
    const cal = attach(broker, 's1', 'cal');
    // Refused past its burst, short of suspension: 10 pass, 600 are refused.
    for (let i = 0; i < 610; i += 61) {
      send(cal, ...Array.from({ length: 61 }, () => ({ op: 'pub', topic: 'cal.date.selected' })));
    }
    await settle();
    expect(broker.stats().violations['rate-limited']).to.equal(600);
    expect(broker.stats().rejected).to.equal(601);
    expect(seen).to.deep.equal(['todo not-permitted', 'cal rate-limited']);
    // The log (500 entries) still holds the other app's refusal.
    expect(broker.violations().map((v) => `${v.app} ${v.kind}`)).to.deep.equal(seen);
    expect(cal.ops().filter((o) => o.code === 'RATE_LIMITED')).to.have.length(1);
  });

  it('suspends a client posting one refused operation per message after 100 such messages in 200 ms', async () => {
    const suspended: string[] = [];
    broker = new Broker({ suspended: (id) => suspended.push(id) }, () => clock);
    broker.register(manifest('cal', { publishes: ['cal.date.*'], limits: { burst: 10 } }));
    const pub = { op: 'pub', topic: 'cal.date.selected' };
    const slow = attach(broker, 's1', 'cal');
    // Spread over more than the window, as many refused messages are judged by strikes only.
    for (let i = 0; i < 10 + SUSPEND_AFTER_MESSAGES; i++) {
      clock += 3;
      send(slow, pub);
      await settle();
    }
    expect(suspended).to.deep.equal([]);
    clock += 5000;
    const fast = attach(broker, 's2', 'cal');
    for (let i = 0; i < 10 + SUSPEND_AFTER_MESSAGES; i++) send(fast, pub);
    await settle();
    expect(suspended).to.deep.equal(['s2']);
    expect(broker.violations().at(-1)).to.include({
      kind: 'suspended',
      detail: '100 messages refused in 200 ms',
    });
  });

  it('lets the host connection publish anywhere and read anything', async () => {
    const [brokerSide, host] = fakePortPair();
    broker.attachHost('host', brokerSide);
    const todo = attach(broker, 's2', 'todo');
    send(todo, { op: 'sub', id: 1, pattern: 'cal.date.selected' }, { op: 'set', value: 5 });
    await settle();
    send(
      host,
      { op: 'pub', topic: 'cal.date.selected', data: 1 },
      { op: 'get', id: 2, app: 'todo' },
    );
    await settle();
    expect(todo.ops()).to.deep.include({
      op: 'evt',
      topic: 'cal.date.selected',
      source: 'host',
      data: 1,
    });
    expect(host.ops().find((o) => o.id === 2)).to.deep.include({
      op: 'ok',
      value: { app: 'todo', version: 1, value: 5 },
    });
  });

  it('never lets a slow subscriber hold up a fast one; the slow one gets a gap notice', async () => {
    broker.register(
      manifest('fast', {
        publishes: ['fast.tick.*'],
        limits: { eventsPerSecond: 1e5, burst: 1e6 },
      }),
    );
    broker.register(manifest('watch', { subscribes: ['fast.*.*'] }));
    const publisher = attach(broker, 'p', 'fast');
    const quick = attach(broker, 'q', 'watch');
    const slow = attach(broker, 's', 'watch');
    slow.autoAck = false;
    send(quick, { op: 'sub', id: 1, pattern: 'fast.*.*' });
    send(slow, { op: 'sub', id: 1, pattern: 'fast.*.*' });
    await settle();
    const total = 10_000;
    for (let i = 0; i < total; i += 1000) {
      // The slow one stops acknowledging for longer than a burst explains.
      clock += 600;
      send(
        publisher,
        ...Array.from({ length: 1000 }, (_, k) => ({
          op: 'pub',
          topic: 'fast.tick.x',
          data: i + k,
        })),
      );
      await settle();
    }
    const events = (port: FakePort) => port.ops().filter((o) => o.op === 'evt');
    expect(events(quick)).to.have.length(total);
    // Sending stops once a window's worth is unacknowledged (checked per outgoing batch).
    expect(events(slow).length).to.be.at.most(SUBSCRIBER_WINDOW + 1000);
    // The slow subscriber catches up: it is told how many it missed, then gets what was held.
    send(slow, { op: 'ack', n: slow.ops().length });
    await settle();
    const gap = slow.ops().find((o) => o.op === 'gap') as { dropped: number };
    const delivered = events(slow).map((o) => o.data as number);
    expect(gap.dropped + delivered.length).to.equal(total);
    expect(delivered).to.deep.equal([...delivered].sort((a, b) => a - b));
    expect(broker.stats().dropped).to.equal(gap.dropped);
  });

  it('suspends a client flooding with acknowledgements for events it never got', async () => {
    const suspended: string[] = [];
    broker = new Broker({ suspended: (id) => suspended.push(id) }, () => clock);
    broker.register(manifest('cal', { publishes: ['cal.date.*'], limits: { burst: 10 } }));
    const cal = attach(broker, 's1', 'cal');
    for (let i = 0; i < 20; i++) {
      send(cal, ...Array.from({ length: 100 }, () => ({ op: 'ack', n: 1 })));
    }
    await settle();
    expect(suspended).to.deep.equal(['s1']);
  });

  it('suspends a client that keeps asking but never reads the answers (its queue is bounded)', async () => {
    const suspended: string[] = [];
    broker = new Broker({ suspended: (id) => suspended.push(id) }, () => clock);
    broker.register(manifest('cal', { reads: ['todo'] }));
    broker.register(manifest('todo'));
    const cal = attach(broker, 's1', 'cal');
    const todo = attach(broker, 's2', 'todo');
    // Another client of the same app asks the same, but reads (acknowledges) its answers.
    const reader = attach(broker, 's3', 'cal');
    cal.autoAck = false;
    // Fill the unacknowledged window with small answers, 400 requests per refilled burst.
    const gets = (from: number) =>
      Array.from({ length: 400 }, (_, i) => ({ op: 'get', id: from + i, app: 'todo' }));
    let id = 1;
    for (; id <= SUBSCRIBER_WINDOW; id += 400) {
      send(cal, ...gets(id));
      send(reader, ...gets(id));
      clock += 10_000;
      await settle();
    }
    expect(suspended).to.deep.equal([]);
    // Now every answer is ~60 KB (400 of them are 24 MB, past the byte bound at once): the
    // reader's window is open, so they leave; the other's stay queued and it is cut off.
    send(todo, { op: 'set', value: 'x'.repeat(60_000) });
    await settle();
    clock += 10_000;
    send(cal, ...gets(id));
    send(reader, ...gets(id));
    await settle();
    expect(suspended).to.deep.equal(['s1']);
    expect(broker.violations().at(-1)).to.include({
      kind: 'suspended',
      detail: 'answers not read',
    });
    expect(broker.stats().connections).to.equal(2);
  });

  it('keeps delivering to the others when delivery to one subscriber throws', async () => {
    broker.register(manifest('all', { subscribes: ['cal.*.*'] }));
    const cal = attach(broker, 's1', 'cal');
    const [brokenSide] = fakePortPair();
    broker.attach('s2', 'todo', brokenSide);
    const all = attach(broker, 's3', 'all');
    const todo = attach(broker, 's4', 'todo');
    brokenSide.onmessage?.(
      new MessageEvent('message', {
        data: JSON.stringify([{ op: 'sub', id: 1, pattern: 'cal.*.*' }]),
      }),
    );
    send(all, { op: 'sub', id: 1, pattern: 'cal.*.*' });
    send(todo, { op: 'sub', id: 1, pattern: 'cal.*.*' });
    await settle();
    // The broken subscriber's port throws on every post from now on.
    brokenSide.postMessage = () => {
      throw new DOMException('gone', 'DataCloneError');
    };
    send(cal, { op: 'pub', topic: 'cal.date.selected', data: 1 });
    await settle();
    send(cal, { op: 'pub', topic: 'cal.date.selected', data: 2 });
    await settle();
    for (const port of [all, todo]) {
      const data = port
        .ops()
        .filter((op) => op.op === 'evt')
        .map((op) => op.data);
      expect(data).to.deep.equal([1, 2]);
    }
    expect(brokenSide.closed).to.equal(true);
  });

  it('forgets subscriptions on detach', async () => {
    attach(broker, 's2', 'todo');
    const todo = attach(broker, 's3', 'todo');
    send(todo, { op: 'sub', id: 1, pattern: 'cal.*.*' });
    await settle();
    expect(broker.stats().subscriptions).to.equal(1);
    broker.detach('s3');
    expect(broker.stats()).to.include({ connections: 1, subscriptions: 0 });
  });

  it('delivers once per connection however many of its patterns match, in order', async () => {
    broker.register(manifest('all', { subscribes: ['*.*.*'] }));
    const cal = attach(broker, 's1', 'cal');
    const todo = attach(broker, 's2', 'todo');
    const all = attach(broker, 's3', 'all');
    send(
      todo,
      { op: 'sub', id: 1, pattern: 'cal.*.*' },
      { op: 'sub', id: 2, pattern: 'cal.date.selected' },
    );
    send(all, { op: 'sub', id: 1, pattern: '*.*.*' }, { op: 'sub', id: 2, pattern: 'cal.date.*' });
    await settle();
    const topics = ['cal.date.selected', 'cal.date.cleared', 'cal.date.selected'];
    send(cal, ...topics.map((topic, i) => ({ op: 'pub', topic, data: i })));
    await settle();
    const got = (port: FakePort) =>
      port
        .ops()
        .filter((o) => o.op === 'evt')
        .map((o) => `${String(o.topic)}:${String(o.data)}`);
    const expected = topics.map((topic, i) => `${topic}:${i}`);
    expect(got(todo)).to.deep.equal(expected);
    expect(got(all)).to.deep.equal(expected);
    expect(broker.stats().delivered).to.equal(6);
  });

  it('routes a topic afresh after every subscribe, cancel, attach and detach', async () => {
    const cal = attach(broker, 's1', 'cal');
    const todo = attach(broker, 's2', 'todo');
    const evts = (port: FakePort) => port.ops().filter((o) => o.op === 'evt').length;
    const publish = async () => {
      send(cal, { op: 'pub', topic: 'cal.date.selected' });
      await settle();
    };
    await publish(); // routes the topic to nobody
    send(todo, { op: 'sub', id: 1, pattern: 'cal.*.*' });
    await settle();
    await publish();
    expect(evts(todo)).to.equal(1);
    const late = attach(broker, 's3', 'todo');
    send(late, { op: 'sub', id: 7, pattern: 'cal.date.selected' });
    await settle();
    await publish();
    expect([evts(todo), evts(late)]).to.deep.equal([2, 1]);
    send(todo, { op: 'cancel', id: 1 });
    await settle();
    await publish();
    expect([evts(todo), evts(late)]).to.deep.equal([2, 2]);
    broker.detach('s3');
    await publish();
    expect(evts(late)).to.equal(2);
    // Re-attaching under the same id starts with no subscriptions.
    const again = attach(broker, 's3', 'todo');
    await publish();
    expect(evts(again)).to.equal(0);
    expect(broker.stats().delivered).to.equal(4);
  });

  it('keeps routing right when a publisher cycles through more topics than are cached', async () => {
    broker.register(
      manifest('cal', { publishes: ['cal.date.*'], limits: { burst: 10_000, eventsPerSecond: 1 } }),
    );
    const cal = attach(broker, 's1', 'cal');
    const todo = attach(broker, 's2', 'todo');
    send(todo, { op: 'sub', id: 1, pattern: 'cal.date.selected' });
    await settle();
    for (let round = 0; round < 3; round++) {
      send(
        cal,
        { op: 'pub', topic: 'cal.date.selected', data: round },
        ...Array.from({ length: 1000 }, (_, i) => ({ op: 'pub', topic: `cal.date.t${i}` })),
      );
      await settle();
    }
    const data = todo
      .ops()
      .filter((o) => o.op === 'evt')
      .map((o) => o.data);
    expect(data).to.deep.equal([0, 1, 2]);
  });

  it('reads the clock once per batch, not once per event', async () => {
    let reads = 0;
    broker = new Broker({}, () => {
      reads++;
      return clock;
    });
    broker.register(manifest('cal', { publishes: ['cal.date.*'], limits: { burst: 1000 } }));
    broker.register(manifest('todo', { subscribes: ['cal.*.*'] }));
    const cal = attach(broker, 's1', 'cal');
    const todo = attach(broker, 's2', 'todo');
    send(todo, { op: 'sub', id: 1, pattern: 'cal.*.*' });
    await settle();
    reads = 0;
    send(
      cal,
      ...Array.from({ length: 200 }, (_, i) => ({ op: 'pub', topic: 'cal.date.x', data: i })),
    );
    await settle();
    expect(todo.ops().filter((o) => o.op === 'evt')).to.have.length(200);
    // One for the batch, one for each side's flush and acknowledgement, whatever the count.
    expect(reads).to.be.below(10);
  });
});
