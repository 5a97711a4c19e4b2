import { expect, fixture, html } from '@open-wc/testing';

import { McError } from '../../sdk/protocol/index.ts';
import '../../shell/elements/mc-sync-status.ts';
import type { McSyncStatus } from '../../shell/elements/mc-sync-status.ts';
import type { CanvasRemote, LostNotice, RemoteStatus } from '../../shell/remote/canvas-remote.ts';
import type { LinkState, ServerLink } from '../../shell/remote/server-link.ts';

/** A link as the indicator sees it: a state, an error, and state listeners. */
class FakeLink {
  state: LinkState = 'connecting';
  error: McError | undefined;
  readonly #listeners = new Set<(state: LinkState) => void>();
  onState(listener: (state: LinkState) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
  set(state: LinkState, error?: McError): void {
    this.state = state;
    this.error = error;
    for (const l of this.#listeners) l(state);
  }
}

/** A canvas remote as the indicator sees it. */
class FakeRemote {
  status: RemoteStatus = 'offline';
  pending = 0;
  error: McError | undefined;
  readonly #listeners = new Set<() => void>();
  readonly #lost = new Set<(notice: LostNotice) => void>();
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
  onLost(listener: (notice: LostNotice) => void): () => void {
    this.#lost.add(listener);
    return () => this.#lost.delete(listener);
  }
  set(status: RemoteStatus, pending = this.pending, error?: McError): void {
    Object.assign(this, { status, pending, error });
    for (const l of this.#listeners) l();
  }
  lose(notice: LostNotice): void {
    for (const l of this.#lost) l(notice);
  }
}

async function indicator() {
  const link = new FakeLink();
  const remote = new FakeRemote();
  const el = await fixture<McSyncStatus>(
    html`<mc-sync-status
      .link=${link as unknown as ServerLink}
      .remote=${remote as unknown as CanvasRemote}
    ></mc-sync-status>`,
  );
  const text = async () => {
    await el.updateComplete;
    return el
      .shadowRoot!.querySelector('[role="status"]')!
      .textContent!.replace(/\s+/g, ' ')
      .trim();
  };
  return { el, link, remote, text };
}

describe('<mc-sync-status>', () => {
  it('tells connecting, online and synced, saving, in a polite status region', async () => {
    const { el, link, remote, text } = await indicator();
    expect(await text()).to.equal('Connecting…');
    expect(el.getAttribute('state')).to.equal('offline');
    link.set('online');
    remote.set('joining');
    expect(await text()).to.equal('Online · joining');
    expect(el.getAttribute('state')).to.equal('syncing');
    remote.set('synced');
    expect(await text()).to.equal('Online · synced');
    expect(el.getAttribute('state')).to.equal('online');
    const region = el.shadowRoot!.querySelector('[role="status"]')!;
    expect(region.getAttribute('aria-live')).to.equal('polite');
  });

  it('counts the edits kept while offline, and says reconnecting after having been online', async () => {
    const { el, link, remote, text } = await indicator();
    link.set('online');
    remote.set('synced');
    link.set('offline');
    remote.set('offline', 2);
    expect(await text()).to.equal('Offline · 2 edits kept on this device');
    link.set('connecting');
    expect(await text()).to.equal('Reconnecting… · 2 edits kept on this device');
    expect(el.getAttribute('state')).to.equal('reconnecting');
  });

  it('shows a refusal of the space or of the user with its code', async () => {
    const { el, link, remote, text } = await indicator();
    link.set('online');
    remote.set('refused', 0, new McError('NOT_FOUND', 'no such space'));
    expect(await text()).to.equal('Refused: no access to this canvas (NOT_FOUND)');
    expect(el.getAttribute('state')).to.equal('refused');
    link.set('refused', new McError('UNAUTHENTICATED', 'token expired'));
    expect(await text()).to.equal('Refused: token expired (UNAUTHENTICATED)');
  });

  it('shows a lost write as text, never as markup', async () => {
    const { el, remote } = await indicator();
    remote.lose({
      space: 'demo',
      slot: '<b>todo-1</b>',
      fields: ['x', 'y'],
      by: { user: 'demo', device: 'd' },
    });
    await el.updateComplete;
    const notice = el.shadowRoot!.querySelector('.notice')!;
    expect(notice.textContent).to.equal(
      'Your change to <b>todo-1</b> (x, y) was replaced by another device.',
    );
    expect(notice.querySelector('b')).to.equal(null);
  });
});
