/**
 * Gives every iframe on the bench page the `cross-origin-isolated` permission, so that
 * `performance.now()` inside widget and raw frames has the isolated 5 µs resolution rather
 * than 100 µs. The shell rightly never delegates it (it would hand untrusted widgets
 * SharedArrayBuffer and fine timers), so the bench appends it wherever an iframe's `allow`
 * attribute is set: `<mc-frame>` sets it through Lit's `setAttribute`, raw frames too.
 * It changes the clocks, not the message paths; raw and microcanvas frames get it alike.
 */
export const COI_ALLOW = 'cross-origin-isolated *';

const setAttribute = Element.prototype.setAttribute;
Element.prototype.setAttribute = function (this: Element, name: string, value: string): void {
  if (this instanceof HTMLIFrameElement && name.toLowerCase() === 'allow') {
    value = value ? `${value}; ${COI_ALLOW}` : COI_ALLOW;
  }
  setAttribute.call(this, name, value);
};
