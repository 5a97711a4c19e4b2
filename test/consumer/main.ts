/**
 * A consumer app of the packed microcanvas package: registers one widget served from
 * another site (127.0.0.1; the app runs on localhost) and mounts it in `<mc-canvas>`.
 * test/consumer/run.mjs builds it with Vite and drives it through `window.consumer`.
 */
import { watched } from './port-watch.ts';
import 'microcanvas/shell';

const canvas = document.querySelector('mc-canvas')!;
canvas.host.register({
  id: 'probe',
  name: 'Probe',
  url: `http://127.0.0.1:${location.port}/widget.html`,
});
const slotId = canvas.mount({ app: 'probe', x: 0, y: 0, width: 320, height: 200 });

declare global {
  interface Window {
    consumer: typeof consumer;
  }
}

const consumer = {
  /** The widget's frame status (`connected` once its handshake is done). */
  status: () => canvas.frame(slotId)?.status.state ?? 'no frame',
  unmount: () => canvas.unmount(slotId),
  /** Whether the port the widget's session gave the broker has been closed. */
  widgetPortClosed: () =>
    watched.some((w) => w.call === 'attach' && w.args.includes('probe') && w.closed),
  watched,
};
window.consumer = consumer;
