import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';

import { pino } from 'pino';
import { WebSocket } from 'ws';

import type { ManifestInput, SyncedEvent } from '../../../sdk/protocol/index.ts';
import { createServer, type McServer } from '../../../server/server.ts';
import { signToken } from '../../../server/transport/index.ts';
import { Broker } from '../../../shell/broker/broker.ts';
import { EventRemote } from '../../../shell/remote/event-remote.ts';
import { ServerLink, type LinkSocket } from '../../../shell/remote/server-link.ts';
import { fakePortPair, type FakePort } from '../../helpers/fake-port.ts';

/**
 * Event sync end to end in Node: widgets on fake ports, the real broker, the host's
 * EventRemote on a real ServerLink, and the real server (embedded engine): "a todo ticked on
 * one device is announced in the chat widget on the other", then the same across a
 * reconnect (nothing lost, nothing twice) and past retention (told, and resynced).
 */

const ORIGIN = 'http://host.test';
const SECRET = 'events-test-secret-events-test-secret-012';
const URL_A = 'https://apps.example/a';

const MANIFESTS: ManifestInput[] = [
  {
    id: 'todo',
    name: 'Todo',
    url: URL_A,
    publishes: ['todo.item.completed'],
    sync: { publishes: ['todo.item.completed'], state: true },
  },
  {
    id: 'chat',
    name: 'Chat',
    url: URL_A,
    subscribes: ['todo.item.completed'],
    reads: ['todo'],
    sync: { subscribes: ['todo.item.completed'] },
  },
  // Subscribes without syncing: hears its own device only.
  { id: 'log', name: 'Log', url: URL_A, subscribes: ['todo.item.completed'] },
];

function startServer(maxLen?: number, ratePerSec?: number): Promise<McServer> {
  return createServer({
    ...(ratePerSec === undefined ? {} : { limits: { ratePerSec, burst: 100 } }),
    port: 0,
    engine: {
      engine: 'embedded',
      url: ':memory:',
      ...(maxLen === undefined ? {} : { retention: { maxLen } }),
    },
    logger: pino({ level: process.env.MC_TEST_LOG ?? 'silent' }),
    hostOrigins: [ORIGIN],
    authSecret: SECRET,
  });
}

let server: McServer;
let spaces = 0;
before(async () => {
  server = await startServer();
});
after(() => server.close());

const stops: Array<() => void> = [];
afterEach(() => {
  for (const stop of stops.splice(0)) stop();
});

/** Resolves once `check` holds (polled every 10 ms), or fails after 5 s. */
async function until(check: () => boolean, what: string): Promise<void> {
  // Only a bound on waiting for what must happen, never a measure: the paced burst alone
  // needs 1.5 s at the server's 200/s, and took over 5 s once beside a full browser run.
  const deadline = Date.now() + 20_000;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`never: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A device: its broker with the three apps attached, its link and its EventRemote. */
async function device(on: McServer, space: string, name: string) {
  let forward: ((batch: SyncedEvent[]) => void) | undefined;
  const broker = new Broker({ forward: (batch) => forward?.(batch) });
  for (const manifest of MANIFESTS) broker.register(manifest);
  const widgets: Record<string, FakePort> = {};
  for (const app of ['todo', 'chat', 'log']) {
    const [brokerSide, widget] = fakePortPair();
    broker.attach(`${name}-${app}`, app, brokerSide);
    widgets[app] = widget;
  }
  const link = new ServerLink({
    url: on.url,
    device: `device-${name}-${process.pid}`,
    getToken: () => signToken(SECRET, 'ann'),
    socket: (url, protocols) =>
      new WebSocket(url, protocols, { origin: ORIGIN }) as unknown as LinkSocket,
    reconnectBaseMs: 20,
    reconnectMaxMs: 100,
  });
  const host = {
    events: {
      uplink: (f: typeof forward) => void (forward = f),
      deliver: (batch: Parameters<Broker['deliver']>[0]) => Promise.resolve(broker.deliver(batch)),
      resync: (space: string, states: SyncedEvent[], lost = true) =>
        Promise.resolve(broker.resync(space, states, lost)),
    },
  };
  const remote = new EventRemote(host, { link, space });
  stops.push(
    () => remote.stop(),
    () => link.stop(),
  );
  send(widgets.chat!, { op: 'sub', id: 1, pattern: 'todo.item.completed' });
  send(widgets.chat!, { op: 'watch', id: 2, app: 'todo' });
  send(widgets.log!, { op: 'sub', id: 1, pattern: 'todo.item.completed' });
  remote.start();
  await until(() => remote.position !== undefined, `${name} follows`);
  return { broker, widgets, link, remote };
}

function send(port: FakePort, ...ops: unknown[]): void {
  port.postMessage(JSON.stringify(ops));
}

function tick(todo: FakePort, n: number): void {
  send(todo, { op: 'pub', topic: 'todo.item.completed', data: { n } });
}

/** The `n`s of the todo events a widget received, in order. */
function heard(port: FakePort): number[] {
  return port
    .ops()
    .filter((op) => op.op === 'evt' && op.topic === 'todo.item.completed')
    .map((op) => (op.data as { n: number }).n);
}

function tally(sent: number[], got: number[]) {
  return {
    sent: sent.length,
    received: got.length,
    duplicated: got.length - new Set(got).size,
    lost: sent.filter((n) => !got.includes(n)).length,
  };
}

async function newSpace(on = server): Promise<string> {
  const id = `events-${++spaces}`;
  await on.spaces.create(id, { members: ['ann'] });
  return id;
}

describe('EventRemote: events across devices through the real server', { timeout: 30_000 }, () => {
  it('a todo ticked on the laptop is announced in the chat on the phone, once', async () => {
    const space = await newSpace();
    const laptop = await device(server, space, 'laptop');
    const phone = await device(server, space, 'phone');
    tick(laptop.widgets.todo!, 1);
    await until(() => heard(phone.widgets.chat!).length === 1, 'the phone chat hears it');
    const event = phone.widgets.chat!.ops().find((op) => op.op === 'evt');
    assert.deepEqual(event, {
      op: 'evt',
      topic: 'todo.item.completed',
      source: 'todo',
      data: { n: 1 },
    });
    // The laptop's own chat and log heard it locally; its echo from the server is not
    // delivered again.
    await until(() => laptop.remote.stats.echoes === 1, 'the echo comes back');
    assert.deepEqual(heard(laptop.widgets.chat!), [1]);
    assert.deepEqual(heard(laptop.widgets.log!), [1]);
    // The phone's log does not sync the topic: it hears nothing from the laptop.
    assert.deepEqual(heard(phone.widgets.log!), []);
    // Public state travels too: the phone's chat watches todo's state.
    send(laptop.widgets.todo!, { op: 'set', value: { open: 4 } });
    await until(
      () =>
        phone.widgets
          .chat!.ops()
          .some((op) => op.op === 'state' && (op.value as { open?: number })?.open === 4),
      "the phone sees todo's state",
    );
  });

  it('offline on both sides, then back: every event once, in order', async () => {
    const space = await newSpace();
    const laptop = await device(server, space, 'laptop2');
    const phone = await device(server, space, 'phone2');
    const sent: number[] = [];
    for (let n = 1; n <= 10; n++, sent.push(n - 1)) tick(laptop.widgets.todo!, n);
    await until(() => heard(phone.widgets.chat!).length === 10, 'live events');
    phone.link.stop();
    for (let n = 11; n <= 20; n++, sent.push(n - 1)) tick(laptop.widgets.todo!, n);
    await until(() => laptop.remote.stats.sent === 20, 'the laptop sent them');
    // The laptop drops too: what it publishes now waits in its queue.
    laptop.link.stop();
    for (let n = 21; n <= 30; n++, sent.push(n - 1)) tick(laptop.widgets.todo!, n);
    await until(() => laptop.remote.queued === 10, 'queued while offline');
    laptop.link.start();
    phone.link.start();
    await until(() => heard(phone.widgets.chat!).length >= 30, 'the phone catches up');
    await until(() => laptop.remote.queued === 0, 'the queue drains');
    const got = heard(phone.widgets.chat!);
    assert.deepEqual(tally(sent, got), { sent: 30, received: 30, duplicated: 0, lost: 0 });
    assert.deepEqual(got, sent);
    assert.equal(phone.remote.stats.resyncs, 0);
    assert.equal(phone.widgets.chat!.ops().filter((op) => op.op === 'gap').length, 0);
  });

  it('past retention: the phone is told, gets the public state and a gap notice', async () => {
    const short = await startServer(5);
    try {
      const space = await newSpace(short);
      const laptop = await device(short, space, 'laptop3');
      const phone = await device(short, space, 'phone3');
      tick(laptop.widgets.todo!, 1);
      await until(() => heard(phone.widgets.chat!).length === 1, 'live');
      phone.link.stop();
      send(laptop.widgets.todo!, { op: 'set', value: { open: 7 } });
      for (let n = 2; n <= 12; n++) tick(laptop.widgets.todo!, n);
      await until(() => laptop.remote.queued === 0 && laptop.remote.stats.sent === 13, 'sent');
      phone.link.start();
      await until(() => phone.remote.stats.resyncs === 1, 'told history was lost');
      await until(
        () => phone.widgets.chat!.ops().some((op) => op.op === 'gap'),
        'a gap notice for the chat',
      );
      await until(
        () =>
          phone.widgets
            .chat!.ops()
            .some((op) => op.op === 'state' && (op.value as { open?: number })?.open === 7),
        'the state snapshot',
      );
      // What the stream still holds after the snapshot follows live, each once.
      tick(laptop.widgets.todo!, 13);
      await until(() => heard(phone.widgets.chat!).includes(13), 'live again');
      const got = heard(phone.widgets.chat!);
      assert.equal(got.length, new Set(got).size);
      assert.equal(phone.widgets.log!.ops().filter((op) => op.op === 'gap').length, 0);
    } finally {
      for (const stop of stops.splice(0)) stop();
      await short.close();
    }
  });

  it("paces a widget's burst to the server's rate: the host is not cut, nothing is lost", async () => {
    const paced = await startServer(undefined, 200);
    try {
      const space = await newSpace(paced);
      const laptop = await device(paced, space, 'laptop4');
      const phone = await device(paced, space, 'phone4');
      const sent = Array.from({ length: 300 }, (_, i) => i + 1);
      // One widget turn: 300 synced events (within the broker's burst of 500).
      send(
        laptop.widgets.todo!,
        ...sent.map((n) => ({ op: 'pub', topic: 'todo.item.completed', data: { n } })),
      );
      await until(() => heard(phone.widgets.chat!).length === 300, 'all 300 arrive');
      assert.deepEqual(tally(sent, heard(phone.widgets.chat!)), {
        sent: 300,
        received: 300,
        duplicated: 0,
        lost: 0,
      });
      // Frames over the server's rate would have been dropped and, past its burst, the
      // connection cut: it never went offline.
      assert.equal(laptop.link.state, 'online');
      assert.equal(laptop.remote.stats.sent, 300);
    } finally {
      for (const stop of stops.splice(0)) stop();
      await paced.close();
    }
  });
});
