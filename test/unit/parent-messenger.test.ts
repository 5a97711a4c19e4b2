import { expect } from '@open-wc/testing';
import type { Message } from 'penpal';

import { ParentMessenger } from '../../sdk/parent-messenger.ts';

const HOST = 'https://host.example';
const isPenpal = (data: unknown): data is Message =>
  typeof data === 'object' && data !== null && (data as Message).namespace === 'penpal';
const message = (type: string, extra: object = {}) =>
  ({ namespace: 'penpal', channel: undefined, type, ...extra }) as unknown as Message;

/** A window object that is not this page's: an empty same-origin iframe's. */
function otherWindow(): Window {
  const iframe = document.createElement('iframe');
  document.body.append(iframe);
  return iframe.contentWindow!;
}

function deliver(source: Window, origin: string, data: unknown, ports: MessagePort[] = []): void {
  window.dispatchEvent(new MessageEvent('message', { source, origin, data, ports }));
}

const nextMessage = (port: MessagePort) =>
  new Promise<unknown>((resolve) => (port.onmessage = (event) => resolve(event.data)));

describe('ParentMessenger', () => {
  it('takes messages from the framing window at the host origin only', () => {
    const parent = otherWindow();
    const messenger = new ParentMessenger(parent, HOST);
    const seen: string[] = [];
    messenger.initialize({ validateReceivedMessage: isPenpal });
    messenger.addMessageHandler((m) => seen.push(m.type));
    deliver(parent, 'https://evil.example', message('SYN'));
    deliver(otherWindow(), HOST, message('SYN'));
    deliver(parent, HOST, { type: 'SYN' });
    expect(seen).to.deep.equal([]);
    deliver(parent, HOST, message('SYN'));
    expect(seen).to.deep.equal(['SYN']);
    messenger.destroy();
    deliver(parent, HOST, message('SYN'));
    expect(seen).to.deep.equal(['SYN']);
  });

  it('reads calls on the channel an ACK2 brings, and not before', async () => {
    const parent = otherWindow();
    const messenger = new ParentMessenger(parent, HOST);
    const seen: Message[] = [];
    messenger.initialize({ validateReceivedMessage: isPenpal });
    messenger.addMessageHandler((m) => seen.push(m));
    deliver(parent, HOST, message('ACK2'));
    expect(seen).to.deep.equal([]);
    const { port1, port2 } = new MessageChannel();
    deliver(parent, HOST, message('ACK2'), [port2]);
    expect(seen.map((m) => m.type)).to.deep.equal(['ACK2']);
    const arrived = new Promise<void>((resolve) => messenger.addMessageHandler(() => resolve()));
    port1.postMessage(message('CALL', { id: '1', methodPath: ['ping'], args: [0] }));
    await arrived;
    expect(seen.map((m) => m.type)).to.deep.equal(['ACK2', 'CALL']);
    messenger.destroy();
  });

  it('sends the handshake to the host origin and makes the channel with its ACK2', async () => {
    const posted: Array<{ data: Message; targetOrigin: string; transfer: Transferable[] }> = [];
    const parent = {
      postMessage: (data: Message, options: WindowPostMessageOptions) =>
        posted.push({ data, targetOrigin: options.targetOrigin!, transfer: options.transfer! }),
    } as unknown as Window;
    const messenger = new ParentMessenger(parent, HOST);
    messenger.initialize({ validateReceivedMessage: isPenpal });
    const call = message('CALL', { id: '1', methodPath: ['hello'], args: [] });
    expect(() => messenger.sendMessage(call)).to.throw('no MessagePort yet');
    messenger.sendMessage(message('SYN', { participantId: 'a' }));
    messenger.sendMessage(message('ACK2'));
    expect(posted.map((p) => [p.data.type, p.targetOrigin])).to.deep.equal([
      ['SYN', HOST],
      ['ACK2', HOST],
    ]);
    const port = posted[1]!.transfer[0] as MessagePort;
    expect(port).to.be.instanceOf(MessagePort);
    const next = nextMessage(port);
    messenger.sendMessage(call);
    expect(await next).to.deep.equal(call);
    messenger.destroy();
  });
});
