import { expect } from '@open-wc/testing';
import { CallOptions, connect, WindowMessenger, type Connection, type Methods } from 'penpal';

import { encodeFrameParams } from '../../sdk/protocol/index.ts';
import { sandboxAttribute } from '../../shell/frames/sandbox.ts';
import { fixtureUrl } from '../helpers/canvas.ts';

// The SDK's half of penpal v7's protocol (sdk/penpal-child.ts) against penpal's own parent,
// set up as the host sets it up (shell/frames/frame-session.ts): `connect` over a
// `WindowMessenger` to the frame's window, any origin (the frame's is opaque). Every other
// integration test runs the SDK over it too; this one checks the protocol's edges itself.

type Outcome = { value?: unknown; code?: string; message?: string };
interface Report {
  ready: Outcome;
  add: Outcome;
  refuse: Outcome;
  missing: Outcome;
  late: Outcome;
  take: Outcome;
  taken: unknown;
}
type ChildTable = {
  echo(value: unknown): unknown;
  refuse(): void;
  broken(): void;
  nothing(): void;
  hang(): void;
  leave(): string;
};

const settled = (promise: Promise<unknown>) =>
  promise.then(
    (value) => ({ value }),
    (error: { name?: string; code?: string; message?: string }) => ({
      name: error.name,
      code: error.code,
      message: error.message,
    }),
  );

/** Mounts the fixture as a widget frame, with penpal's parent listening to it. */
function mount(query: string) {
  const iframe = document.createElement('iframe');
  iframe.setAttribute('sandbox', sandboxAttribute());
  iframe.src =
    fixtureUrl(`penpal-child.html${query}`) +
    encodeFrameParams({ nonce: 'a'.repeat(32), hostOrigin: location.origin });
  const reports: object[] = [];
  let arrived: () => void = () => {};
  const onMessage = (event: MessageEvent) => {
    // penpal's handshake comes from the frame too.
    const data = Object(event.data) as { penpalChild?: object };
    if (event.source !== iframe.contentWindow || !data.penpalChild) return;
    reports.push(data.penpalChild);
    arrived();
  };
  window.addEventListener('message', onMessage);
  document.body.append(iframe);
  const next = async <T>(): Promise<T> => {
    while (reports.length === 0) await new Promise<void>((resolve) => (arrived = resolve));
    return reports.shift() as T;
  };
  const hostCalls: string[] = [];
  const methods: Methods = {
    add: (a: number, b: number) => (hostCalls.push('add'), a + b),
    refuse: () => {
      throw { code: 'NOT_PERMITTED', message: 'no' };
    },
    hang: () => new Promise(() => {}),
    take: (port: MessagePort) => port.postMessage('through'),
  };
  const connection: Connection<ChildTable> = connect<ChildTable>({
    messenger: new WindowMessenger({ remoteWindow: iframe.contentWindow!, allowedOrigins: ['*'] }),
    methods,
    timeout: 10_000,
  });
  const remove = () => {
    window.removeEventListener('message', onMessage);
    connection.destroy();
    iframe.remove();
  };
  return { connection, next, hostCalls, remove };
}

/** What both handshakes must give: calls both ways, with penpal's errors on either side. */
async function checkCalls(mounted: ReturnType<typeof mount>): Promise<void> {
  const report = await mounted.next<Report>();
  expect(report.ready).to.deep.equal({ value: undefined });
  expect(report.add).to.deep.equal({ value: 5 });
  expect(mounted.hostCalls).to.deep.equal(['add']);
  expect(report.refuse).to.deep.equal({ code: 'NOT_PERMITTED', message: 'no' });
  expect(report.missing.code).to.equal('METHOD_NOT_FOUND');
  expect(report.late.code).to.equal('METHOD_CALL_TIMEOUT');
  expect(report.take).to.deep.equal({ value: undefined });
  expect(report.taken).to.equal('through');

  const remote = await mounted.connection.promise;
  expect(await settled(remote.echo({ list: [1, 'two'] }))).to.deep.equal({
    value: { list: [1, 'two'] },
  });
  expect(await settled(remote.refuse())).to.deep.include({ code: 'NOPE', message: 'refused' });
  expect(await settled(remote.broken())).to.deep.include({ name: 'TypeError', message: 'broken' });
  for (const missing of [remote.nothing(), (remote as unknown as ChildTable).constructor()]) {
    expect(await settled(missing as Promise<unknown>)).to.deep.include({
      name: 'PenpalError',
      code: 'METHOD_NOT_FOUND',
    });
  }
  const late = await settled(remote.hang(new CallOptions({ timeout: 200 })));
  expect(late).to.deep.include({ code: 'METHOD_CALL_TIMEOUT' });
}

describe('The SDK’s half of penpal’s protocol, against penpal’s parent', function () {
  this.timeout(30_000);
  let mounted: ReturnType<typeof mount> | undefined;
  afterEach(() => mounted?.remove());

  it('shakes hands with the host leading, calls both ways, and ends its calls when the host destroys the link', async () => {
    mounted = mount('');
    await checkCalls(mounted);
    mounted.connection.destroy();
    expect(await mounted.next()).to.deep.include({
      pending: { code: 'CONNECTION_DESTROYED', message: 'the link to the host is closed' },
    });
  });

  it('leads the handshake when its id is the greater, and tells the host when it destroys the link', async () => {
    mounted = mount('?lead');
    await checkCalls(mounted);
    const remote = await mounted.connection.promise;
    const hanging = settled(remote.hang());
    expect(await remote.leave()).to.equal('leaving');
    // The widget's DESTROY ends the host's pending call, and its own.
    expect(await hanging).to.deep.include({ code: 'CONNECTION_DESTROYED' });
    expect(await mounted.next()).to.deep.include({
      pending: { code: 'CONNECTION_DESTROYED', message: 'the link to the host is closed' },
    });
  });
});
