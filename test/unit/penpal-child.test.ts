import { expect } from '@open-wc/testing';
import type { Message } from 'penpal';

import { penpalChild, type HostChannel, type Methods } from '../../sdk/penpal-child.ts';

// The widget's half of penpal v7's protocol against a scripted host, message by message.
// test/integration/penpal-child.test.ts runs it against penpal's own parent.

const HOST = 'https://host.example';
type Sent = { data: Message; targetOrigin?: string; ports: MessagePort[] };
type HostTable = {
  add(a: number, b: number): number;
  hang(): void;
  take(port: MessagePort): void;
};

/**
 * A window that stands for the host page: a same-origin empty iframe's (a real Window, so
 * that it can be a message's `source`), whose postMessage records what the child sends.
 */
function hostWindow(): { parent: Window; sent: Sent[] } {
  const iframe = document.createElement('iframe');
  document.body.append(iframe);
  const parent = iframe.contentWindow!;
  const sent: Sent[] = [];
  Object.defineProperty(parent, 'postMessage', {
    value: (data: Message, options: WindowPostMessageOptions) =>
      sent.push({
        data,
        targetOrigin: options.targetOrigin,
        ports: (options.transfer ?? []) as MessagePort[],
      }),
  });
  return { parent, sent };
}

/** A message to the child through its window, as if from `source` at `origin`. */
function deliver(source: Window, origin: string, data: unknown, ports: MessagePort[] = []): void {
  window.dispatchEvent(new MessageEvent('message', { source, origin, data, ports }));
}

const penpal = (type: string, extra: object = {}) => ({ namespace: 'penpal', type, ...extra });

/** The next message the host's end of the channel receives. */
const nextOn = (port: MessagePort) =>
  new Promise<Message>((resolve) => (port.onmessage = (event) => resolve(event.data as Message)));

const outcome = (promise: Promise<unknown>) =>
  promise.then(
    (value) => ({ value }),
    (error: { code?: string; message?: string }) => ({ code: error.code, message: error.message }),
  );

/** A child that completed the handshake as a follower, and the host's end of its channel. */
async function connected(methods: Methods = Object.create(null)) {
  const { parent, sent } = hostWindow();
  const child = penpalChild<HostTable>(parent, HOST, methods, 2000);
  deliver(parent, HOST, penpal('SYN', { participantId: 'f00d' }));
  deliver(parent, HOST, penpal('ACK1', { methodPaths: [] }));
  await child.ready;
  const ack2 = sent.find((s) => s.data.type === 'ACK2')!;
  const port = ack2.ports[0]!;
  return { child, parent, sent, port };
}

describe('penpalChild', () => {
  const children: HostChannel<HostTable>[] = [];
  afterEach(() => children.splice(0).forEach((child) => child.destroy()));

  it('sends SYN to the host origin, answers a new host id once, and makes the channel with ACK2', async () => {
    const { parent, sent } = hostWindow();
    const child = penpalChild<HostTable>(parent, HOST, Object.create(null), 2000);
    children.push(child);
    expect(sent.map((s) => [s.data.type, s.targetOrigin])).to.deep.equal([['SYN', HOST]]);
    const id = (sent[0]!.data as { participantId: string }).participantId;
    // Below every UUID penpal makes: the host leads.
    expect(id < '0').to.equal(true);
    deliver(parent, HOST, penpal('SYN', { participantId: 'f00d' }));
    deliver(parent, HOST, penpal('SYN', { participantId: 'f00d' }));
    expect(sent.map((s) => s.data.type)).to.deep.equal(['SYN', 'SYN']);
    deliver(parent, HOST, penpal('ACK1', { methodPaths: [['ping']] }));
    expect(sent.map((s) => [s.data.type, s.targetOrigin])).to.deep.equal([
      ['SYN', HOST],
      ['SYN', HOST],
      ['ACK2', HOST],
    ]);
    expect(sent[2]!.ports[0]).to.be.instanceOf(MessagePort);
    await child.ready;
  });

  it('leads when its id is the greater: ACK1 on the host’s SYN, the channel from the host’s ACK2', async () => {
    const { parent, sent } = hostWindow();
    const child = penpalChild<HostTable>(parent, HOST, Object.create(null), 2000, 'zzzz');
    children.push(child);
    deliver(parent, HOST, penpal('SYN', { participantId: 'f00d' }));
    expect(sent.map((s) => s.data.type)).to.deep.equal(['SYN', 'SYN', 'ACK1']);
    // An ACK2 without a port brings no channel.
    deliver(parent, HOST, penpal('ACK2'));
    const { port1, port2 } = new MessageChannel();
    deliver(parent, HOST, penpal('ACK2'), [port2]);
    await child.ready;
    const call = nextOn(port1);
    const answer = child.call('add', [1, 2], 1000);
    const message = await call;
    expect(message).to.deep.include({ type: 'CALL', methodPath: ['add'], args: [1, 2] });
    port1.postMessage(penpal('REPLY', { callId: (message as { id: string }).id, value: 3 }));
    expect(await answer).to.equal(3);
  });

  it('takes messages from the framing window at the host origin only, in penpal’s namespace, on no channel', () => {
    const { parent, sent } = hostWindow();
    children.push(penpalChild<HostTable>(parent, HOST, Object.create(null), 2000));
    const other = hostWindow().parent;
    deliver(parent, 'https://evil.example', penpal('SYN', { participantId: 'a' }));
    deliver(parent, 'null', penpal('SYN', { participantId: 'b' }));
    deliver(other, HOST, penpal('SYN', { participantId: 'c' }));
    deliver(parent, HOST, { type: 'SYN', participantId: 'd' });
    deliver(parent, HOST, penpal('SYN', { participantId: 'e', channel: 'other' }));
    deliver(parent, HOST, null);
    deliver(parent, HOST, 'SYN');
    deliver(parent, 'https://evil.example', penpal('ACK1', { methodPaths: [] }));
    expect(sent.map((s) => s.data.type)).to.deep.equal(['SYN']);
    // The positive control: the same SYN from the host is answered.
    deliver(parent, HOST, penpal('SYN', { participantId: 'f' }));
    expect(sent.map((s) => s.data.type)).to.deep.equal(['SYN', 'SYN']);
  });

  it('rejects ready with CONNECTION_TIMEOUT when the host never completes the handshake', async () => {
    const { parent } = hostWindow();
    const child = penpalChild<HostTable>(parent, HOST, Object.create(null), 50);
    children.push(child);
    expect(await outcome(child.ready)).to.deep.include({ code: 'CONNECTION_TIMEOUT' });
  });

  it('answers the host’s calls from its table, and only from its own names', async () => {
    const methods: Methods = Object.create(null);
    methods.add = (a: number, b: number) => a + b;
    methods.later = async () => 'later';
    methods.refuse = () => {
      throw { code: 'NOT_FOUND' };
    };
    methods.broken = () => {
      throw new TypeError('broken');
    };
    methods.uncloneable = () => () => 1;
    const { child, port } = await connected(methods);
    children.push(child);
    // Added after the handshake: looked up when called.
    methods.added = () => 'added';
    const ask = async (methodPath: string[], args: unknown[] = []) => {
      const reply = nextOn(port);
      port.postMessage(penpal('CALL', { id: methodPath.join('.'), methodPath, args }));
      const { namespace, type, callId, ...rest } = (await reply) as Message & { callId: string };
      expect([namespace, type, callId]).to.deep.equal(['penpal', 'REPLY', methodPath.join('.')]);
      return rest;
    };
    expect(await ask(['add'], [2, 3])).to.deep.equal({ value: 5 });
    expect(await ask(['later'])).to.deep.equal({ value: 'later' });
    expect(await ask(['added'])).to.deep.equal({ value: 'added' });
    expect(await ask(['refuse'])).to.deep.equal({ isError: true, value: { code: 'NOT_FOUND' } });
    expect(await ask(['broken'])).to.deep.equal({
      isError: true,
      isSerializedErrorInstance: true,
      value: { name: 'TypeError', message: 'broken' },
    });
    // Structured clone refuses a function: the call fails, it does not go unanswered.
    const uncloneable = await ask(['uncloneable']);
    expect(uncloneable).to.deep.include({ isError: true, isSerializedErrorInstance: true });
    expect((uncloneable as { value: { name: string } }).value.name).to.equal('DataCloneError');
    for (const path of [
      ['missing'],
      ['constructor'],
      ['toString'],
      ['__proto__'],
      ['add', 'call'],
    ]) {
      expect(await ask(path)).to.deep.equal({
        isError: true,
        isSerializedErrorInstance: true,
        value: {
          name: 'PenpalError',
          message: `Method \`${path.join('.')}\` is not found.`,
          penpalCode: 'METHOD_NOT_FOUND',
        },
      });
    }
  });

  it('calls the host: answers, refusals, penpal’s errors, deadlines and transfers', async () => {
    const { child, port } = await connected();
    children.push(child);
    const replies: Array<Record<string, unknown>> = [
      { value: 5 },
      { isError: true, value: { code: 'NOT_PERMITTED', message: 'no' } },
      {
        isError: true,
        isSerializedErrorInstance: true,
        value: { name: 'PenpalError', message: 'missing', penpalCode: 'METHOD_NOT_FOUND' },
      },
    ];
    const calls: Message[] = [];
    port.onmessage = ({ data }: MessageEvent) => {
      calls.push(data as Message);
      const reply = replies.shift();
      if (reply) port.postMessage(penpal('REPLY', { callId: data.id, ...reply }));
    };
    expect(await outcome(child.call('add', [2, 3], 1000))).to.deep.equal({ value: 5 });
    expect(await outcome(child.call('add', [0, 0], 1000))).to.deep.equal({
      code: 'NOT_PERMITTED',
      message: 'no',
    });
    expect(await outcome(child.call('add', [0, 0], 1000))).to.deep.equal({
      code: 'METHOD_NOT_FOUND',
      message: 'missing',
    });
    // No reply: the deadline.
    const started = performance.now();
    expect(await outcome(child.call('hang', [], 100))).to.deep.include({
      code: 'METHOD_CALL_TIMEOUT',
    });
    expect(performance.now() - started).to.be.at.least(90);
    const { port1, port2 } = new MessageChannel();
    replies.push({ value: undefined });
    await child.call('take', [port2], 1000, [port2]);
    const take = calls.at(-1) as Message & { args: unknown[] };
    expect(take.args[0]).to.be.instanceOf(MessagePort);
    const echoed = nextOn(port1);
    (take.args[0] as MessagePort).postMessage('through');
    expect(await echoed).to.equal('through');
    // Arguments structured clone refuses fail the call at once.
    expect(await outcome(child.call('add', [(() => 1) as never, 0], 1000))).to.deep.include({
      code: 'TRANSMISSION_FAILED',
    });
  });

  it('destroy tells the host, ends pending calls and refuses new ones', async () => {
    const { child, port } = await connected();
    const pending = outcome(child.call('hang', [], undefined));
    // The CALL arrives first; then the DESTROY.
    await nextOn(port);
    const notice = nextOn(port);
    child.destroy();
    expect(await notice).to.deep.include({ namespace: 'penpal', type: 'DESTROY' });
    expect(await pending).to.deep.include({ code: 'CONNECTION_DESTROYED' });
    expect(await outcome(child.call('add', [1, 1], 1000))).to.deep.include({
      code: 'CONNECTION_DESTROYED',
    });
  });

  it('ends when the host says DESTROY: pending calls end, the host’s calls are not answered', async () => {
    const methods: Methods = Object.create(null);
    methods.add = (a: number, b: number) => a + b;
    const { child, port } = await connected(methods);
    children.push(child);
    const pending = outcome(child.call('hang', [], undefined));
    port.postMessage(penpal('DESTROY'));
    expect(await pending).to.deep.include({ code: 'CONNECTION_DESTROYED' });
    // The child closed its end: a call finds nobody (and a reply would find a closed port).
    let answered = false;
    port.onmessage = ({ data }) => (answered ||= (data as Message).type === 'REPLY');
    port.postMessage(penpal('CALL', { id: 'late', methodPath: ['add'], args: [1, 1] }));
    // Positive control for the wait: a fresh channel's round trip within the same window.
    const probe = new MessageChannel();
    const echoed = nextOn(probe.port2);
    probe.port1.postMessage('probe');
    await echoed;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(answered).to.equal(false);
    expect(await outcome(child.call('add', [1, 1], 1000))).to.deep.include({
      code: 'CONNECTION_DESTROYED',
    });
  });

  it('starts over on a SYN with a new host id: the old channel closes, calls go on over the new one', async () => {
    const methods: Methods = Object.create(null);
    methods.add = (a: number, b: number) => a + b;
    const { child, parent, sent, port } = await connected(methods);
    children.push(child);
    deliver(parent, HOST, penpal('SYN', { participantId: 'beef' }));
    expect(sent.at(-1)!.data.type).to.equal('SYN');
    deliver(parent, HOST, penpal('ACK1', { methodPaths: [] }));
    const ack2 = sent.at(-1)!;
    expect(ack2.data.type).to.equal('ACK2');
    const fresh = ack2.ports[0]!;
    expect(fresh).to.not.equal(port);
    const reply = nextOn(fresh);
    fresh.postMessage(penpal('CALL', { id: 'n', methodPath: ['add'], args: [4, 4] }));
    expect(await reply).to.deep.include({ type: 'REPLY', callId: 'n', value: 8 });
  });
});
