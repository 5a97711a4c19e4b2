import { Host, type HostOptions } from '../shell/index.ts';
import { PortRelay, type RelayListener } from './port-relay.ts';
import { Refusals } from './refusals.ts';

/**
 * The simulator's host: a real {@link Host} (broker Worker, services, context) whose widget
 * channel passes through a {@link PortRelay} on this page, where a test's refusals act.
 * Only the simulated widget's slot is relayed; the peers a test publishes as attach directly.
 */
export class SimHost extends Host {
  readonly refusals = new Refusals();
  #relay: PortRelay | undefined;

  constructor(
    options: HostOptions,
    readonly widgetSlot: string,
    readonly listener: RelayListener,
  ) {
    super(options);
  }

  /** The relay of the widget's current session, if one is attached. */
  get relay(): PortRelay | undefined {
    return this.#relay;
  }

  override async attach(slotId: string, appId: string, port: MessagePort): Promise<void> {
    if (slotId !== this.widgetSlot) return super.attach(slotId, appId, port);
    const { port1, port2 } = new MessageChannel();
    this.#relay?.close();
    const relay = new PortRelay(port, port1, this.refusals, this.listener);
    this.#relay = relay;
    try {
      await super.attach(slotId, appId, port2);
    } catch (error) {
      relay.close();
      throw error;
    }
  }

  override async detach(slotId: string): Promise<void> {
    if (slotId === this.widgetSlot) {
      this.#relay?.close();
      this.#relay = undefined;
      this.listener.subscriptions();
    }
    await super.detach(slotId);
  }
}
