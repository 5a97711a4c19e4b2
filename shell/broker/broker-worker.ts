/// <reference lib="webworker" />
import * as Comlink from 'comlink';

import type { StateSnapshot } from '../../sdk/protocol/index.ts';
import { Broker, type BrokerListener } from './broker.ts';

/**
 * The broker's Worker entry. The host page drives it with comlink; widgets never see
 * comlink: their traffic arrives on the MessagePorts passed to `attach`.
 */
let listener: BrokerListener = {};
const broker = new Broker({
  violation: (v) => listener.violation?.(v),
  suspended: (id, app) => listener.suspended?.(id, app),
});

/** The control surface of the broker Worker, as the host page sees it through comlink. */
export const brokerControl = {
  register: (manifest: unknown) => broker.register(manifest),
  attach: (connectionId: string, appId: string, port: MessagePort) =>
    broker.attach(connectionId, appId, port),
  attachHost: (connectionId: string, port: MessagePort) => broker.attachHost(connectionId, port),
  detach: (connectionId: string) => broker.detach(connectionId),
  stats: () => broker.stats(),
  violations: () => broker.violations(),
  states: () => broker.states(),
  restore: (states: StateSnapshot[]) => broker.restore(states),
  listen: (next: BrokerListener) => {
    listener = next;
  },
  ping: () => 'pong' as const,
};

/** The comlink-facing type of {@link brokerControl}. */
export type BrokerControl = typeof brokerControl;

Comlink.expose(brokerControl, self);
