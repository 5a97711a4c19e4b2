/**
 * DOM events raised by host services on `<mc-frame>` (bubbling and composed, so a canvas or
 * the page can listen once for every slot).
 */

/** A focused widget forwarded a keyboard shortcut its manifest declares. */
export class McShortcutEvent extends Event {
  static readonly type = 'mc-shortcut';
  constructor(
    readonly slotId: string,
    readonly appId: string,
    /** The declared combo, e.g. `Ctrl+K`. */
    readonly combo: string,
  ) {
    super(McShortcutEvent.type, { bubbles: true, composed: true });
  }
}

/** The host applied a widget-requested size to the slot's frame (at most once a frame). */
export class McAppResizedEvent extends Event {
  static readonly type = 'mc-app-resized';
  constructor(
    readonly slotId: string,
    readonly appId: string,
    readonly width: number | undefined,
    readonly height: number | undefined,
  ) {
    super(McAppResizedEvent.type, { bubbles: true, composed: true });
  }
}

/** A widget's size oscillated (a resize feedback loop): resizing is frozen for the session. */
export class McResizeFrozenEvent extends Event {
  static readonly type = 'mc-resize-frozen';
  constructor(
    readonly slotId: string,
    readonly appId: string,
  ) {
    super(McResizeFrozenEvent.type, { bubbles: true, composed: true });
  }
}

declare global {
  interface HTMLElementEventMap {
    'mc-shortcut': McShortcutEvent;
    'mc-app-resized': McAppResizedEvent;
    'mc-resize-frozen': McResizeFrozenEvent;
  }
}
