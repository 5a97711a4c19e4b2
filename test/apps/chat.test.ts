/**
 * The chat sample app, tested as its author would: mounted by the host simulator of
 * `microcanvas/testing` in a real sandboxed cross-site frame; the todo app and a second
 * chat are played by the simulator.
 */
import { expect } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import { mountWidget, unmountAll, type WidgetSimulator } from 'microcanvas/testing';

const manifest = {
  id: 'chat',
  publishes: ['chat.message.sent'],
  subscribes: ['todo.item.completed', 'chat.message.sent'],
  services: ['notify' as const],
};

function mountChat(): Promise<WidgetSimulator> {
  return mountWidget({ url: '/sample-apps/chat/index.html', manifest });
}

/** See calendar.test.ts: no key presses into cross-site frames in Firefox under wtr. */
const NO_FRAME_INPUT = navigator.userAgent.includes('Firefox/');

/** Types a message into the chat's field (its first focusable element) and sends it. */
async function send(sim: WidgetSimulator, text: string): Promise<void> {
  await sim.expectSubscribed('chat.message.sent');
  sim.focus();
  await sendKeys({ press: 'Tab' });
  await sendKeys({ type: text });
  await sendKeys({ press: 'Enter' });
}

describe('Sample app: chat', () => {
  afterEach(unmountAll);

  it('announces a completed todo with a toast', async () => {
    const sim = await mountChat();
    await sim.publish('todo.item.completed', { id: 't1', title: 'Buy milk' });
    const toast = await sim.expectNotification('Alice completed: Buy milk');
    expect(toast.kind).to.equal('success');
  });

  it('shows markup from another app as text, and drops what is not text', async () => {
    const sim = await mountChat();
    await sim.publish('todo.item.completed', { title: { toString: 'x' } });
    await sim.publish('todo.item.completed', { title: '<b>bold</b>' });
    // The first is dropped (no toast for it); the second is shown as written.
    await sim.expectNotification('Alice completed: <b>bold</b>');
    expect(sim.notifications).to.have.length(1);
  });

  it('publishes what is typed, with its slot', async function () {
    if (NO_FRAME_INPUT) this.skip();
    const sim = await mountChat();
    // (Classic WebDriver, WebKit's, loses a doubled letter: none in this text.)
    await send(sim, 'hi team');
    const event = await sim.expectPublished('chat.message.sent');
    expect(event.data).to.deep.equal({ text: 'hi team', author: 'Alice', slot: sim.slotId });
  });

  it('says so when the host refuses a message', async function () {
    if (NO_FRAME_INPUT) this.skip();
    const sim = await mountChat();
    await sim.refuse('publish', 'chat.message.sent', 'NOT_PERMITTED');
    await send(sim, 'hello?');
    const toast = await sim.expectNotification('Message not sent (NOT_PERMITTED)');
    expect(toast.kind).to.equal('error');
    expect(sim.published).to.have.length(0);
  });
});
