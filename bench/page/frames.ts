import type { ManifestInput } from '../../sdk/protocol/index.ts';
import type { McCanvas } from '../../shell/elements/mc-canvas.ts';
import { take } from './inbox.ts';

/** Widgets and raw frames: `127.0.0.1`, another site than the page (`localhost`). */
export const WIDGET_ORIGIN = `http://127.0.0.1:${location.port}`;
/** The flooder: a third site, so it gets its own renderer and does not stall the others. */
export const FLOOD_ORIGIN = `http://127.0.0.2:${location.port}`;

/** Limits high enough that quotas never cap a measurement (the schema's maximums). */
export const BENCH_LIMITS = {
  eventsPerSecond: 100_000,
  burst: 1_000_000,
  bytesPerSecond: 256 * 1024 * 1024,
  maxMessageBytes: 1024 * 1024,
} as const;

/** A manifest for the pair fixture that talks to `peer`. */
export function pairManifest(id: string, peer: string): ManifestInput {
  return {
    id,
    name: `bench ${id}`,
    url: `${WIDGET_ORIGIN}/bench/fixtures/pair.html`,
    publishes: [`${id}.*.sent`],
    subscribes: [`${peer}.*.sent`],
    limits: BENCH_LIMITS,
  };
}

/** The iframe of a mounted slot. */
export async function slotWindow(canvas: McCanvas, slotId: string): Promise<Window> {
  await canvas.updateComplete;
  const frame = canvas.frame(slotId);
  if (!frame) throw new Error(`no frame for ${slotId}`);
  await frame.updateComplete;
  const win = frame.renderRoot.querySelector('iframe')?.contentWindow;
  if (!win) throw new Error(`no iframe in ${slotId}`);
  return win;
}

/** Mounts a fixture widget and waits for its `hello` report. */
export async function mountFixture(
  canvas: McCanvas,
  app: string,
  at: { x: number; y: number },
): Promise<{ slotId: string; win: Window; hello: Record<string, unknown> }> {
  const slotId = canvas.mount({ app, ...at, width: 160, height: 90 });
  const win = await slotWindow(canvas, slotId);
  const hello = await take(win, 'hello');
  return { slotId, win, hello };
}

/** The same sandbox as a widget frame, no SDK. `allow` is set like `<mc-frame>` sets it. */
export function createRawFrame(parent: HTMLElement, file = 'raw.html'): HTMLIFrameElement {
  const iframe = document.createElement('iframe');
  iframe.setAttribute('sandbox', 'allow-scripts');
  iframe.setAttribute('allow', '');
  iframe.style.cssText = 'width:160px;height:90px;border:0';
  parent.append(iframe);
  iframe.src = `${WIDGET_ORIGIN}/bench/fixtures/${file}`;
  return iframe;
}

/** Creates a raw frame and waits for its `hello`. */
export async function rawFrame(
  parent: HTMLElement,
  file = 'raw.html',
): Promise<{ win: Window; hello: Record<string, unknown> }> {
  const iframe = createRawFrame(parent, file);
  const win = iframe.contentWindow!;
  return { win, hello: await take(win, 'hello') };
}
