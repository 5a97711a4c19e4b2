import type { Violation } from '../../sdk/protocol/index.ts';

/**
 * Fired on a {@link Host} for every refusal the broker records, and for every `hello` with a
 * wrong nonce the host refuses (kind `handshake`).
 */
export class McViolationEvent extends Event {
  static readonly type = 'mc-violation';
  constructor(readonly violation: Violation) {
    super(McViolationEvent.type);
  }
}

/** Fired on a {@link Host} when the broker suspends a flooding connection. */
export class McSuspendedEvent extends Event {
  static readonly type = 'mc-suspended';
  constructor(
    readonly slotId: string,
    readonly appId: string,
  ) {
    super(McSuspendedEvent.type);
  }
}

/** Fired on a {@link Host} after its broker Worker died or hung and was replaced. */
export class McBrokerRestartedEvent extends Event {
  static readonly type = 'mc-broker-restarted';
  constructor(readonly restarts: number) {
    super(McBrokerRestartedEvent.type);
  }
}

/**
 * Fired on a {@link Host} when an app's registered manifest changed (its widgets remount
 * with the new rights), its availability did (a registry's health, {@link Host.setAvailable}),
 * or the host revoked or restored one of its grants (`Host.revoke`: no remount).
 */
export class McAppUpdatedEvent extends Event {
  static readonly type = 'mc-app-updated';
  constructor(
    readonly appId: string,
    readonly change: 'manifest' | 'availability' | 'grants',
  ) {
    super(McAppUpdatedEvent.type);
  }
}

/** The events a Host dispatches. */
export interface HostEventMap {
  'mc-violation': McViolationEvent;
  'mc-suspended': McSuspendedEvent;
  'mc-broker-restarted': McBrokerRestartedEvent;
  'mc-app-updated': McAppUpdatedEvent;
}
