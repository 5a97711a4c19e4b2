/** What a drag does to its slot. */
export type GestureMode = 'move' | 'resize';

/** Callbacks of one pointer gesture. */
export interface GestureHandlers {
  /** The pointer moved by (dx, dy) CSS pixels since the gesture began. */
  move(dx: number, dy: number): void;
  /** The gesture ended: `commit` is false when it was cancelled (Escape, pointercancel). */
  end(commit: boolean): void;
}

/**
 * Follows one pointer from `pointerdown` on `handle` until it is released, with pointer
 * capture so the gesture keeps its events when the pointer crosses a widget's iframe (the
 * canvas also lays a shield over every frame meanwhile: capture alone is not honoured for
 * out-of-process frames by every engine). Escape cancels. Returns a function that cancels.
 */
export function followPointer(
  start: PointerEvent,
  handle: Element,
  handlers: GestureHandlers,
): () => void {
  const { pointerId, clientX, clientY } = start;
  try {
    handle.setPointerCapture(pointerId);
  } catch {
    // A pointer that is already gone (synthetic or cancelled): the shield still catches moves.
  }
  const view = handle.ownerDocument.defaultView ?? window;
  let done = false;
  const onMove = (event: PointerEvent) => {
    if (event.pointerId !== pointerId) return;
    event.preventDefault();
    handlers.move(event.clientX - clientX, event.clientY - clientY);
  };
  const finish = (commit: boolean) => {
    if (done) return;
    done = true;
    view.removeEventListener('pointermove', onMove, true);
    view.removeEventListener('pointerup', onUp, true);
    view.removeEventListener('pointercancel', onCancel, true);
    view.removeEventListener('keydown', onKey, true);
    try {
      if (handle.hasPointerCapture(pointerId)) handle.releasePointerCapture(pointerId);
    } catch {
      // Already released.
    }
    handlers.end(commit);
  };
  const onUp = (event: PointerEvent) => {
    if (event.pointerId !== pointerId) return;
    handlers.move(event.clientX - clientX, event.clientY - clientY);
    finish(true);
  };
  const onCancel = (event: PointerEvent) => {
    if (event.pointerId === pointerId) finish(false);
  };
  const onKey = (event: KeyboardEvent) => {
    if (event.key !== 'Escape') return;
    event.preventDefault();
    event.stopPropagation();
    finish(false);
  };
  // On the window, in the capture phase: captured events are retargeted to `handle`, but
  // those the shield catches (engines that ignore capture over frames) arrive there too.
  view.addEventListener('pointermove', onMove, true);
  view.addEventListener('pointerup', onUp, true);
  view.addEventListener('pointercancel', onCancel, true);
  view.addEventListener('keydown', onKey, true);
  return () => finish(false);
}
