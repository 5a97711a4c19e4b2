import { expect } from '@open-wc/testing';

import { Client, MAX_QUEUED_OPS } from '../../sdk/client.ts';
import type { ClientLink } from '../../sdk/link.ts';
import type { McError } from '../../sdk/protocol/index.ts';

const code = (promise: Promise<unknown>) =>
  promise.then(
    () => 'resolved',
    (error: McError) => error.code,
  );

describe('Client before the handshake', () => {
  it('refuses a request past the queue bound without leaving it pending', async () => {
    const client = new Client(new Promise<ClientLink>(() => {}));
    for (let i = 0; i < MAX_QUEUED_OPS; i++) client.publish('app.item.added', i);
    expect(await code(client.state.get('other'))).to.equal('QUEUE_FULL');
    expect(client.pendingCalls).to.equal(0);
    client.close();
  });

  it('refuses an oversized request without leaving it pending', async () => {
    const client = new Client(new Promise<ClientLink>(() => {}));
    expect(await code(client.state.get('x'.repeat(100_000)))).to.equal('PAYLOAD_TOO_LARGE');
    expect(client.pendingCalls).to.equal(0);
    client.close();
  });

  it('closes the broker port it is handed after close() was called during the handshake', async () => {
    let hand!: (link: ClientLink) => void;
    const client = new Client(new Promise<ClientLink>((resolve) => (hand = resolve)));
    const request = code(client.state.get('other'));
    client.close();
    expect(await request).to.equal('APP_DISCONNECTED');
    const { port1, port2 } = new MessageChannel();
    const seen: unknown[] = [];
    port1.onmessage = (event) => seen.push(event.data);
    let closedLink = false;
    hand({ port: port2, context: undefined as never, close: () => (closedLink = true) });
    await client.ready.catch(() => undefined);
    expect(closedLink).to.equal(true);
    // A closed port2 delivers nothing: a post from it is dropped. The control, posted just
    // after it on an open channel, arrives: had the first been delivered, it had time to.
    const control = new MessageChannel();
    const arrived = new Promise((resolve) => (control.port1.onmessage = resolve));
    port2.postMessage('after close');
    control.port2.postMessage('control');
    await arrived;
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(seen).to.deep.equal([]);
    control.port1.close();
  });
});
