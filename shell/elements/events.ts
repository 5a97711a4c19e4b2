import type { FrameStatus } from '../frames/frame-session.ts';

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

/** Fired by `<mc-frame>` (bubbling, composed) when its widget finished the handshake. */
export class McAppConnectedEvent extends Event {
  static readonly type = 'mc-app-connected';
  constructor(
    readonly slotId: string,
    readonly appId: string,
  ) {
    super(McAppConnectedEvent.type, { bubbles: true, composed: true });
  }
}

declare global {
  interface HTMLElementEventMap {
    'mc-app-status': McAppStatusEvent;
    'mc-app-connected': McAppConnectedEvent;
  }
}
