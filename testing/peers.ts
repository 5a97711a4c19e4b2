import { Client } from '../sdk/index.ts';
import type { Host } from '../shell/index.ts';

/** The longest topic has six segments: a peer may publish anything in its namespace. */
const NAMESPACE = [3, 4, 5, 6].map((n) => Array<string>(n - 1).fill('*'));

/** Where a peer's manifest points: it is never mounted, only its id and rights matter. */
const PEER_URL = 'http://127.0.0.1/microcanvas-testing-peer';

/**
 * The other apps of a simulated canvas: for each app id a test publishes as (or feeds the
 * public state of), a broker connection under that app's identity, with the SDK's own
 * client on it. What the widget receives from a peer is therefore exactly what it would
 * receive from a real widget of that app: stamped by the broker with the peer's id, checked
 * against the widget's own `subscribes` and `reads`.
 */
export class Peers {
  readonly #clients = new Map<string, Client>();
  #next = 1;

  constructor(readonly host: Host) {}

  /** The client of `appId`, attached on first use (registered with a manifest of its own). */
  client(appId: string): Client {
    let client = this.#clients.get(appId);
    if (client) return client;
    // An app the host already knows (the widget's own, for a second instance) keeps its
    // manifest; any other gets one that may publish in its own namespace and nothing else.
    if (!this.host.manifest(appId)) {
      this.host.register({
        id: appId,
        name: appId,
        url: PEER_URL,
        publishes: NAMESPACE.map((rest) => [appId, ...rest].join('.')),
      });
    }
    const slotId = `peer-${appId}-${this.#next++}`;
    const { port1, port2 } = new MessageChannel();
    const attached = this.host.attach(slotId, appId, port1);
    attached.catch(() => undefined);
    client = new Client({ port: port2, context: this.host.contextFor(appId, slotId), attached });
    this.#clients.set(appId, client);
    return client;
  }

  close(): void {
    for (const client of this.#clients.values()) client.close();
    this.#clients.clear();
  }
}
