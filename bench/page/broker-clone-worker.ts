/// <reference lib="webworker" />
/**
 * The isolation experiment's broker: the shell's real `Broker` class in a plain Worker,
 * driven by bare messages instead of comlink, with ports handed straight to SDK clients in
 * raw frames (no host page, no penpal). Compared with the widget path, it shows what the
 * host machinery costs; compared with the raw Worker relay, what the SDK and broker cost.
 */
import { Broker } from '../../shell/broker/broker.ts';

const broker = new Broker();
addEventListener('message', (event: MessageEvent) => {
  const { cmd, manifest, id, app } = event.data as {
    cmd: string;
    manifest?: unknown;
    id?: string;
    app?: string;
  };
  if (cmd === 'register') broker.register(manifest);
  if (cmd === 'attach') broker.attach(id!, app!, event.ports[0]!);
  postMessage('ok');
});
