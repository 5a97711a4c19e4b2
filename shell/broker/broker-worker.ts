/// <reference lib="webworker" />
import * as Comlink from 'comlink';

import type {
  BrokerControl,
  BrokerGrantRef,
  HostListener,
  RemoteEvent,
  StateSnapshot,
  SyncedEvent,
} from '../../sdk/protocol/index.ts';
import { Broker } from './broker.ts';
import { VIOLATION_LOG_SIZE, type Violation } from './violations.ts';

/**
 * The broker's Worker entry. The host page drives it with comlink; widgets never see
 * comlink: their traffic arrives on the MessagePorts passed to `attach`.
 */
let listener: HostListener = {};

/**
 * Violations reach the host page in batches, at most every {@link VIOLATION_FLUSH_MS}: one
 * comlink call per refusal would make a flooder cost the page a call per message.
 */
const VIOLATION_FLUSH_MS = 100;
let pending: Violation[] = [];
let flushTimer: ReturnType<typeof setTimeout> | undefined;
function queueViolation(violation: Violation): void {
  if (pending.length < VIOLATION_LOG_SIZE) pending.push(violation);
  flushTimer ??= setTimeout(() => {
    flushTimer = undefined;
    const batch = pending;
    pending = [];
    listener.violations?.(batch);
  }, VIOLATION_FLUSH_MS);
}

let reaper: Worker | undefined;
const broker = new Broker({
  violation: queueViolation,
  suspended: (id, app) => listener.suspended?.(id, app),
  forward: (batch) => listener.forward?.(batch),
  // A flooder's port may hold tens of thousands of unread messages; closing it here would
  // stall every other delivery. Transferring it away is cheap; the reaper closes it.
  discard: (port) => {
    reaper ??= new Worker(new URL('./port-reaper.ts', import.meta.url), {
      type: 'module',
      name: 'microcanvas-port-reaper',
    });
    const real = port as unknown as MessagePort;
    real.onmessage = null;
    reaper.postMessage(null, [real]);
  },
});

/** The control surface of the broker Worker, as the host page sees it through comlink. */
export const brokerControl: BrokerControl = {
  register: (manifest: unknown) => broker.register(manifest),
  attach: (connectionId: string, appId: string, port: MessagePort) =>
    broker.attach(connectionId, appId, port),
  attachHost: (connectionId: string, port: MessagePort) => broker.attachHost(connectionId, port),
  detach: (connectionId: string) => broker.detach(connectionId),
  stats: () => broker.stats(),
  violations: () => broker.violations(),
  report: (violation: Violation) => broker.report(violation),
  states: () => broker.states(),
  restore: (states: StateSnapshot[]) => broker.restore(states),
  adopt: (appId: string, json: string) => broker.adopt(appId, json),
  revoke: (appId: string, revoked: BrokerGrantRef[]) => broker.revoke(appId, revoked),
  tap: (open: boolean) => broker.tap(open),
  tapRead: (since: number) => broker.tapRead(since),
  /** The host page's end of a channel on which it exposes its {@link HostListener}. */
  listen: (port: MessagePort) => {
    listener = Comlink.wrap<HostListener>(port) as unknown as HostListener;
  },
  deliver: (batch: RemoteEvent[]) => broker.deliver(batch),
  resync: (space: string, states: SyncedEvent[], lost: boolean) =>
    broker.resync(space, states, lost),
  ping: () => 'pong',
  hold: (name: string) =>
    new Promise<void>((held) => {
      // Held for this Worker's whole life: the lock is released only when it ends.
      void navigator.locks.request(name, () => {
        held();
        return new Promise<never>(() => {});
      });
    }),
};

Comlink.expose(brokerControl, self);
