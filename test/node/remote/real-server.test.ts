import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';

import { pino } from 'pino';
import { WebSocket } from 'ws';

import { createServer, type McServer } from '../../../server/server.ts';
import { signToken } from '../../../server/transport/index.ts';
import { CanvasModel, type Slot } from '../../../shell/model/canvas-model.ts';
import { CanvasRemote, type LostNotice } from '../../../shell/remote/canvas-remote.ts';
import { MemoryReplicaStore } from '../../../shell/remote/replica-store.ts';
import { ServerLink, type LinkSocket } from '../../../shell/remote/server-link.ts';
import { FakeSyncHost } from '../store/fake-sync-host.ts';
import { until } from './until.ts';

/**
 * The browser's server client against the real server (embedded engine in memory, real
 * WebSockets through `ws`, sent with the host page's Origin): the rules the client assumes
 * are the server's.
 */

const A: Slot = { slotId: 'a-1', app: 'alpha', x: 0, y: 0, width: 100, height: 80 };
const B: Slot = { slotId: 'b-1', app: 'beta', x: 200, y: 0, width: 100, height: 80 };

const ORIGIN = 'http://host.test';
const SECRET = 'client-test-secret-client-test-secret-0123';

let server: McServer;
let spaces = 0;
before(async () => {
  server = await createServer({
    port: 0,
    engine: { engine: 'embedded', url: ':memory:' },
    logger: pino({ level: process.env.MC_TEST_LOG ?? 'silent' }),
    hostOrigins: [ORIGIN],
    authSecret: SECRET,
  });
});
after(() => server.close());

const stops: Array<() => void> = [];
afterEach(() => {
  for (const stop of stops.splice(0)) stop();
});

/** A device of `user`: its canvas model, link (with a counted token source) and remote. */
function device(
  space: string,
  name: string,
  user = 'ann',
  layout: Slot[] = [],
  ttlS: (n: number) => number = () => 600,
) {
  const model = new CanvasModel<FakeSyncHost>(() => new FakeSyncHost());
  for (const slot of layout) model.mount(slot);
  let tokens = 0;
  const link = new ServerLink({
    url: server.url,
    device: `device-${name}-${process.pid}`,
    getToken: () => signToken(SECRET, user, ttlS(++tokens)),
    socket: (url, protocols) =>
      new WebSocket(url, protocols, { origin: ORIGIN }) as unknown as LinkSocket,
    reconnectBaseMs: 20,
    reconnectMaxMs: 100,
  });
  const remote = new CanvasRemote(model, { link, space, store: new MemoryReplicaStore() });
  const lost: LostNotice[] = [];
  remote.onLost((notice) => lost.push(notice));
  stops.push(
    () => remote.stop(),
    () => link.stop(),
  );
  return { model, link, remote, lost, tokens: () => tokens };
}

async function newSpace(members = ['ann']): Promise<string> {
  const id = `client-${++spaces}`;
  await server.spaces.create(id, { members });
  return id;
}

const settled = (...devices: Array<{ remote: CanvasRemote }>) =>
  devices.every((d) => d.remote.status === 'synced' && d.remote.pending === 0);

describe('ServerLink and CanvasRemote against the real server', { timeout: 30_000 }, () => {
  it('two devices: seed, an edit seen on the other, offline edits merged on reconnect', async () => {
    const space = await newSpace();
    const laptop = device(space, 'laptop', 'ann', [A, B]);
    await laptop.remote.start();
    await until(() => settled(laptop), 'the laptop seeds the space');
    const phone = device(space, 'phone');
    await phone.remote.start();
    await until(() => phone.model.layout.length === 2 && settled(phone), 'the phone joins');
    assert.deepEqual(phone.model.layout, laptop.model.layout);

    laptop.model.update('a-1', { x: 40 });
    await until(() => phone.model.slot('a-1')?.x === 40, 'the move reaches the phone');

    phone.link.stop();
    phone.model.update('b-1', { y: 300 });
    laptop.model.update('a-1', { width: 250 });
    await until(() => settled(laptop), 'the laptop’s edit is stored');
    phone.link.start();
    await until(
      () => laptop.model.slot('b-1')?.y === 300 && phone.model.slot('a-1')?.width === 250,
      'both edits on both devices',
    );
    await until(() => settled(laptop, phone), 'both settled');
    assert.deepEqual(phone.model.layout, laptop.model.layout);
    assert.ok(phone.tokens() >= 2, 'a new token for the new connection');
  });

  it('concurrent writes of one field: the later wins on both, the earlier writer is told', async () => {
    const space = await newSpace();
    const laptop = device(space, 'laptop', 'ann', [A]);
    await laptop.remote.start();
    await until(() => settled(laptop), 'seeded');
    const phone = device(space, 'phone');
    await phone.remote.start();
    await until(() => phone.model.layout.length === 1 && settled(phone), 'joined');

    phone.link.stop();
    laptop.model.update('a-1', { x: 111 });
    await until(() => settled(laptop), 'the laptop’s write is stored');
    phone.model.update('a-1', { x: 222 });
    phone.link.start();
    await until(() => laptop.model.slot('a-1')?.x === 222, 'the later write reaches the laptop');
    await until(() => laptop.lost.length > 0, 'the laptop is told its write was lost');
    assert.equal(laptop.lost[0]!.slot, 'a-1');
    assert.deepEqual(laptop.lost[0]!.fields, ['x']);
    assert.equal(phone.model.slot('a-1')?.x, 222);
  });

  it('a token that expires on an open connection: cut, then back with a fresh token, still synced', async () => {
    const space = await newSpace();
    // The first token lives 1 s; the next ones 10 minutes.
    const laptop = device(space, 'laptop', 'ann', [A], (n) => (n === 1 ? 1 : 600));
    const states: string[] = [];
    laptop.link.onState((state) => states.push(state));
    await laptop.remote.start();
    await until(() => settled(laptop), 'seeded');
    const phone = device(space, 'phone');
    await phone.remote.start();
    await until(() => phone.model.layout.length === 1 && settled(phone), 'the phone joins');
    for (let i = 0; i < 60 && laptop.tokens() < 2; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(laptop.tokens(), 2, 'a second token after the first expired');
    await until(() => laptop.link.state === 'online' && settled(laptop), 'back and joined');
    assert.ok(states.includes('offline'), 'the expired connection was cut');
    assert.ok(!states.includes('refused'), 'an expiry is no refusal');
    laptop.model.update('a-1', { y: 77 });
    await until(() => phone.model.slot('a-1')?.y === 77, 'edits flow again');
  });

  it('a user who is not a member is refused with NOT_FOUND; nothing is written', async () => {
    const space = await newSpace(['ann']);
    const bob = device(space, 'bob', 'bob', [A]);
    await bob.remote.start();
    await until(() => bob.remote.status === 'refused', 'refused');
    assert.equal(bob.remote.error?.code, 'NOT_FOUND');
    assert.equal(bob.link.state, 'online');
    const ann = device(space, 'ann');
    await ann.remote.start();
    await until(() => ann.remote.status === 'synced', 'ann joins');
    assert.deepEqual(ann.model.layout, []);
  });
});
