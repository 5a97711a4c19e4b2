import type { FrameStatus, SessionChange } from '../frames/frame-session.ts';

/** Fired by `<mc-frame>` (bubbling, composed) whenever its widget's status changes. */
export class McAppStatusEvent extends Event {
  static readonly type = 'mc-app-status';
  constructor(
    readonly slotId: string,
    readonly appId: string,
    readonly status: FrameStatus,
  ) {
    super(McAppStatusEvent.type, { bubbles: true, composed: true });
  }
}

/** The lifecycle event names, one per {@link SessionChange}. */
export const LIFECYCLE_EVENTS = {
  connected: 'mc-app-connected',
  reconnected: 'mc-app-reconnected',
  disconnected: 'mc-app-disconnected',
  unresponsive: 'mc-app-unresponsive',
  crashed: 'mc-app-crashed',
  responsive: 'mc-app-responsive',
} as const satisfies Record<SessionChange, string>;

/** A lifecycle event's name. */
export type LifecycleEventType = (typeof LIFECYCLE_EVENTS)[SessionChange];

/**
 * Fired by `<mc-frame>` (bubbling, composed) on a lifecycle change: the first session
 * (`mc-app-connected`), a new session after a reload or navigation (`mc-app-reconnected`),
 * a session ending (`mc-app-disconnected`), missed heartbeats (`mc-app-unresponsive`: a hung
 * widget, or one whose engine cannot tell), missed heartbeats with the widget's pulse gone
 * too (`mc-app-crashed`: its process died) and recovery (`mc-app-responsive`).
 */
export class McAppLifecycleEvent extends Event {
  constructor(
    type: LifecycleEventType,
    readonly slotId: string,
    readonly appId: string,
    readonly epoch: number,
  ) {
    super(type, { bubbles: true, composed: true });
  }
}

declare global {
  interface HTMLElementEventMap {
    'mc-app-status': McAppStatusEvent;
    'mc-app-connected': McAppLifecycleEvent;
    'mc-app-reconnected': McAppLifecycleEvent;
    'mc-app-disconnected': McAppLifecycleEvent;
    'mc-app-unresponsive': McAppLifecycleEvent;
    'mc-app-crashed': McAppLifecycleEvent;
    'mc-app-responsive': McAppLifecycleEvent;
  }
}
