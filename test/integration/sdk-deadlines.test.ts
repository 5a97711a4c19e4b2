import { expect } from '@open-wc/testing';
import { connect as penpalConnect, Reply, WindowMessenger } from 'penpal';

import { encodeFrameParams } from '../../sdk/protocol/index.ts';
import { sandboxAttribute } from '../../shell/frames/sandbox.ts';
import { fixtureUrl } from '../helpers/canvas.ts';

interface Report {
  ready: string;
  get: string;
  call: string;
  pendingCalls: number;
}

/** Mounts `fixture` in a sandboxed cross-site frame; resolves with its report. */
function mountReporting<T>(fixture: string): { iframe: HTMLIFrameElement; report: Promise<T> } {
  const iframe = document.createElement('iframe');
  iframe.setAttribute('sandbox', sandboxAttribute());
  iframe.src =
    fixtureUrl(fixture) + encodeFrameParams({ nonce: 'a'.repeat(32), hostOrigin: location.origin });
  const report = new Promise<T>((resolve) => {
    const onMessage = (event: MessageEvent) => {
      // penpal's own handshake messages come from the frame too.
      if (event.source !== iframe.contentWindow || !('ready' in Object(event.data))) return;
      window.removeEventListener('message', onMessage);
      resolve(event.data as T);
    };
    window.addEventListener('message', onMessage);
  });
  document.body.append(iframe);
  return { iframe, report };
}

describe('SDK deadlines', function () {
  this.timeout(30_000);
  let iframe: HTMLIFrameElement | undefined;
  afterEach(() => iframe?.remove());

  it('ends connect() at its deadline when the host completes penpal’s handshake but never answers hello', async () => {
    iframe = document.createElement('iframe');
    iframe.setAttribute('sandbox', sandboxAttribute());
    iframe.src =
      fixtureUrl('hello-deadline.html') +
      encodeFrameParams({ nonce: 'a'.repeat(32), hostOrigin: location.origin });
    const reported = new Promise<Report>((resolve) => {
      const onMessage = (event: MessageEvent) => {
        // penpal's own handshake messages come from the frame too.
        if (event.source !== iframe?.contentWindow || !('ready' in Object(event.data))) return;
        window.removeEventListener('message', onMessage);
        resolve(event.data as Report);
      };
      window.addEventListener('message', onMessage);
    });
    document.body.append(iframe);
    // A host that shakes hands and then sits on hello forever.
    let hellos = 0;
    const connection = penpalConnect({
      messenger: new WindowMessenger({
        remoteWindow: iframe.contentWindow!,
        allowedOrigins: ['*'],
      }),
      methods: { hello: () => (hellos++, new Promise(() => {})) },
    });
    try {
      const report = await reported;
      // penpal's handshake succeeded and hello was called: the deadline is hello's.
      expect(hellos).to.equal(1);
      expect(report.ready).to.equal('HANDSHAKE_TIMEOUT');
      // What was asked before the handshake settles with it, and nothing is left waiting.
      expect(report.get).to.equal('HANDSHAKE_TIMEOUT');
      expect(report.call).to.equal('HANDSHAKE_TIMEOUT');
      expect(report.pendingCalls).to.equal(0);
    } finally {
      connection.destroy();
    }
  });

  it('rejects a host call with CALL_TIMEOUT at its timeoutMs when the host never answers', async () => {
    const mounted = mountReporting<Report & { waitedMs: number }>('call-deadline.html');
    iframe = mounted.iframe;
    // A host that answers hello (with a broker port nobody reads) and sits on notify forever.
    const { port1, port2 } = new MessageChannel();
    let notified = 0;
    const connection = penpalConnect({
      messenger: new WindowMessenger({
        remoteWindow: iframe.contentWindow!,
        allowedOrigins: ['*'],
      }),
      methods: {
        hello: () =>
          new Reply(
            { port: port2, context: { appId: 'app', slotId: 's1', theme: 'light', locale: 'en' } },
            { transferables: [port2] },
          ),
        notify: () => (notified++, new Promise(() => {})),
      },
    });
    try {
      const report = await mounted.report;
      expect(report.ready).to.equal('resolved');
      // The call reached the host, which never answered: the deadline is the call's own.
      expect(notified).to.equal(1);
      expect(report.call).to.equal('CALL_TIMEOUT');
      expect(report.waitedMs).to.be.below(5000, 'the default deadline (5 s) was used');
      expect(report.pendingCalls).to.equal(0);
    } finally {
      connection.destroy();
      port1.close();
    }
  });
});
