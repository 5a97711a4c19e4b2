import { expect } from '@open-wc/testing';

import type { RemoteEvent, SyncedEvent } from '../../sdk/protocol/index.ts';
import type { Host } from '../../shell/host/host.ts';
import {
  cleanup,
  collect,
  command,
  createCanvas,
  drivenManifest,
  mountDriven,
  nextEvent,
} from '../helpers/canvas.ts';

/**
 * Event sync between two "devices" in one page: two canvases, each with its own host and
 * broker Worker, real cross-site widgets, and between them an uplink written here in place
 * of the server (our own interface, `Host.events`): it numbers what one broker forwards as a
 * stream would and hands it to the other broker.
 */

const TODO = { publishes: ['todo.item.*'], sync: { publishes: ['todo.item.completed'] } };
const CHAT = {
  subscribes: ['todo.item.*'],
  sync: { subscribes: ['todo.item.completed'] },
};
/** Subscribes like chat but does not sync: it hears its own device only. */
const LOG = { subscribes: ['todo.item.*'] };

/** A stream in memory: what `from` forwards gets the next offset and is kept. */
function relay(from: Host, to: Host) {
  const stream: RemoteEvent[] = [];
  from.events.uplink((batch: SyncedEvent[]) => {
    const numbered = batch.map((e) => ({
      ...e,
      space: 'demo',
      epoch: 'e1',
      offset: stream.length + 1,
    }));
    for (const event of numbered) stream.push(event);
    void to.events.deliver(numbered);
  });
  return stream;
}

describe('event sync between two devices (real cross-site widgets)', () => {
  afterEach(cleanup);

  it('a todo ticked on one device is announced in the chat on the other, once', async () => {
    const laptop = createCanvas();
    const phone = createCanvas();
    const todo = await mountDriven(laptop, 'todo', TODO);
    // The phone knows the todo app too: its rights there are what a remote event is held to.
    phone.host.register(drivenManifest('todo', TODO));
    const chat = await mountDriven(phone, 'chat', CHAT);
    const log = await mountDriven(phone, 'log', LOG);
    for (const [slot, app] of [
      [chat, 'chat'],
      [log, 'log'],
    ] as const) {
      const subscribed = nextEvent(phone.host, `${app}.echo.subscribed`);
      command(phone.host, slot, { cmd: 'subscribe', pattern: 'todo.item.*' });
      await subscribed;
    }
    const stream = relay(laptop.host, phone.host);
    const chatHeard = collect<{ topic: string; source: string; data: unknown }>(
      phone.host,
      'chat.echo.received',
    );
    const logHeard = collect(phone.host, 'log.echo.received');
    await Promise.all([chatHeard.ready, logHeard.ready]);
    const announced = nextEvent(phone.host, 'chat.echo.received');
    command(laptop.host, todo, { cmd: 'publish', topic: 'todo.item.completed', data: { id: 7 } });
    // Not synced: stays on the laptop.
    command(laptop.host, todo, { cmd: 'publish', topic: 'todo.item.added', data: { id: 8 } });
    await announced;
    expect(chatHeard.events.map((e) => e.data)).to.deep.equal([
      { topic: 'todo.item.completed', source: 'todo', data: { id: 7 } },
    ]);
    expect(stream.map((e) => [e.app, e.topic, e.data])).to.deep.equal([
      ['todo', 'todo.item.completed', '{"id":7}'],
    ]);
    // A resume that replays the stream (a reconnect) reaches no widget twice.
    expect(await phone.host.events.deliver(stream)).to.equal(0);
    // Lost history: the chat, which syncs, is told it missed events; the log is not.
    const told = nextEvent<{ code: string }>(phone.host, 'chat.echo.error');
    await phone.host.events.resync('demo', []);
    expect((await told).data.code).to.equal('EVENTS_DROPPED');
    const marker = nextEvent(phone.host, 'log.echo.window-messages');
    command(phone.host, log, { cmd: 'window-messages' });
    await marker;
    expect(logHeard.events).to.deep.equal([]);
    expect(chatHeard.events).to.have.length(1);
  });

  it("holds a server event to the app's rights on this device", async () => {
    const phone = createCanvas();
    phone.host.register(drivenManifest('todo', TODO));
    const chat = await mountDriven(phone, 'chat', {
      ...CHAT,
      subscribes: ['*.*.*'],
      sync: { subscribes: ['*.*.*'] },
    });
    const subscribed = nextEvent(phone.host, 'chat.echo.subscribed');
    command(phone.host, chat, { cmd: 'subscribe', pattern: '*.item.*' });
    await subscribed;
    const heard = collect<{ topic: string; source: string }>(phone.host, 'chat.echo.received');
    await heard.ready;
    const at = (offset: number, e: Partial<RemoteEvent>): RemoteEvent => ({
      space: 'demo',
      epoch: 'e1',
      offset,
      app: 'todo',
      topic: 'todo.item.completed',
      data: '{}',
      ...e,
    });
    const taken = await phone.host.events.deliver([
      // todo publishes it here but does not sync it; another app's topic under todo's name;
      // an app this device does not know.
      at(1, { topic: 'todo.item.added' }),
      at(2, { topic: 'calendar.item.picked' }),
      at(3, { app: 'ghost', topic: 'ghost.item.seen' }),
      at(4, { data: JSON.stringify({ ok: true }) }),
    ]);
    expect(taken).to.equal(1);
    await nextEvent(phone.host, 'chat.echo.received');
    expect(heard.events.map((e) => [e.data.topic, e.data.source])).to.deep.equal([
      ['todo.item.completed', 'todo'],
    ]);
    const refused = (await phone.host.violations()).filter((v) => v.connection === 'server');
    expect(refused.map((v) => v.kind)).to.deep.equal([
      'not-permitted',
      'not-permitted',
      'not-permitted',
    ]);
  });
});
