/**
 * The todo sample app, tested as its author would: mounted by the host simulator of
 * `microcanvas/testing` in a real sandboxed cross-site frame, with the host's storage and
 * dialogs stubbed, the calendar played by the simulator.
 */
import { expect } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import { mountWidget, unmountAll, type ServiceStubs } from 'microcanvas/testing';

const manifest = {
  id: 'todo',
  publishes: ['todo.item.completed'],
  subscribes: ['calendar.date.selected'],
  services: ['storage' as const, 'modal' as const, 'notify' as const, 'shortcuts' as const],
  shortcuts: ['Alt+N'],
};

interface TodoState {
  open: number;
  total: number;
  byDate: Record<string, number>;
}

const MILK = { id: 't1', title: 'Buy milk', date: '2030-01-15', done: false };

function mountTodo(services: ServiceStubs) {
  return mountWidget({ url: '/sample-apps/todo/index.html', manifest, services });
}

/** See calendar.test.ts: no key presses into cross-site frames in Firefox under wtr. */
const NO_FRAME_INPUT = navigator.userAgent.includes('Firefox/');

/**
 * Presses Alt+N in the focused widget: Playwright's drivers take key down and up; classic
 * WebDriver (WebKit's) a key sequence, where a modifier stays down until sent again.
 */
async function pressAltN(): Promise<void> {
  if (!navigator.userAgent.includes('Chrome/')) {
    await sendKeys({ type: '\uE00An\uE00A' });
    return;
  }
  await sendKeys({ down: 'Alt' });
  await sendKeys({ press: 'KeyN' });
  await sendKeys({ up: 'Alt' });
}

/** Presses Tab `n` times in the focused widget, then `key`. */
async function tabThenPress(n: number, key: string): Promise<void> {
  for (let i = 0; i < n; i++) await sendKeys({ press: 'Tab' });
  await sendKeys({ press: key });
}

describe('Sample app: todo', () => {
  afterEach(unmountAll);

  it('starts from the items the host stored, and publishes their counts', async () => {
    const sim = await mountTodo({ storage: { todos: [MILK] } });
    const { value } = await sim.expectState<TodoState>((state) => state.total === 1);
    expect(value).to.deep.equal({ open: 1, total: 1, byDate: { '2030-01-15': 1 } });
  });

  it('adds a todo on the day the calendar selected', async function () {
    if (NO_FRAME_INPUT) this.skip();
    // Chromium, full suite only (once on 2026-12-03): the todo went on today, not on the
    // day published before the keys. Not yet explained; one retry, stated.
    this.retries(1);
    const sim = await mountTodo({ storage: { todos: [] } });
    await sim.publish('calendar.date.selected', { date: '2030-02-01' });
    // Alt+N, a shortcut its manifest declares, jumps to the new-todo field.
    sim.focus();
    await pressAltN();
    expect(await sim.expectShortcut('Alt+N')).to.equal('Alt+N');
    // (Classic WebDriver, WebKit's, can lose a doubled letter or a space: one word.)
    await sendKeys({ type: 'Plumber' });
    await sendKeys({ press: 'Enter' });
    const { value } = await sim.expectState<TodoState>((state) => state.total === 1);
    expect(value.byDate).to.deep.equal({ '2030-02-01': 1 });
    expect(await sim.storage.get('todos')).to.deep.equal([
      { id: 't1', title: 'Plumber', date: '2030-02-01', done: false },
    ]);
  });

  it('ignores a date event that is not a date', async () => {
    const sim = await mountTodo({ storage: { todos: [MILK] } });
    await sim.publish('calendar.date.selected', { date: '<img src=x onerror=alert(1)>' });
    await sim.publish('calendar.date.selected', { date: '2030-01-15' });
    // Still alive and publishing after both: its state did not change.
    expect((await sim.state<TodoState>()).value.total).to.equal(1);
  });

  it('tells the other apps when an item is ticked', async function () {
    if (NO_FRAME_INPUT) this.skip();
    const sim = await mountTodo({ storage: { todos: [MILK] } });
    await sim.expectState();
    // "Clear done" is disabled while nothing is done: field, Add, then the checkbox.
    sim.focus();
    await tabThenPress(3, 'Space');
    const event = await sim.expectPublished('todo.item.completed');
    expect(event.data).to.deep.equal({ id: 't1', title: 'Buy milk', date: '2030-01-15' });
    await sim.expectState<TodoState>((state) => state.open === 0);
  });

  it('shows a toast when the host refuses to pass a tick on', async function () {
    if (NO_FRAME_INPUT) this.skip();
    const sim = await mountTodo({ storage: { todos: [MILK] } });
    await sim.expectState();
    await sim.refuse('publish', 'todo.item.completed', 'RATE_LIMITED');
    sim.focus();
    await tabThenPress(3, 'Space');
    const toast = await sim.expectNotification('Could not tell the other apps (RATE_LIMITED)');
    expect(toast.kind).to.equal('error');
    expect(sim.published).to.have.length(0);
  });

  it('says so when the host stops it following the calendar', async () => {
    const sim = await mountTodo({ storage: { todos: [MILK] } });
    await sim.expectSubscribed('calendar.date.selected');
    await sim.refuse('subscribe', 'calendar.date.selected');
    const toast = await sim.expectNotification('No longer following the calendar');
    expect(toast.text).to.contain('revoked (NOT_PERMITTED)');
    expect(sim.listensTo('calendar.date.selected')).to.equal(false);
  });

  it('removes completed items only when the person confirms', async function () {
    if (NO_FRAME_INPUT) this.skip();
    const done = { ...MILK, done: true };
    const sim = await mountTodo({ storage: { todos: [done] }, modal: false });
    await sim.expectState();
    sim.focus();
    // "Clear done" is the first focusable element while an item is done.
    await tabThenPress(1, 'Enter');
    expect((await sim.expectModal()).text).to.equal('Remove 1 completed todo?');
    expect((await sim.state<TodoState>()).value.total).to.equal(1);
    // Focus is still on "Clear done": press it again, and confirm this time.
    sim.answerModals((request) => request.title === 'Clear completed');
    await sendKeys({ press: 'Enter' });
    await sim.expectState<TodoState>((state) => state.total === 0);
    expect(sim.modals).to.have.length(2);
    await sim.expectNotification('Removed 1 completed todo');
  });
});
