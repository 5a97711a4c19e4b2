import type { McEvent } from '../../sdk/index.ts';
import type { ManifestInput } from '../../sdk/protocol/index.ts';
import '../../shell/elements/mc-canvas.ts';
import type { McCanvas } from '../../shell/elements/mc-canvas.ts';
import type { FrameStatus } from '../../shell/frames/frame-session.ts';
import { Host, type HostOptions } from '../../shell/host/host.ts';

/** Test pages run on `localhost`; fixture widgets come from `127.0.0.1`, another site. */
export const WIDGET_ORIGIN = `http://127.0.0.1:${location.port}`;

/** The cross-site URL of a fixture page. */
export function fixtureUrl(file: string): string {
  return `${WIDGET_ORIGIN}/test/fixtures/${file}`;
}

/** A manifest for the driven fixture, able to take host commands and echo. */
export function drivenManifest(id: string, extra: Partial<ManifestInput> = {}): ManifestInput {
  return {
    id,
    name: `Driven ${id}`,
    // A query per app so that each widget's frame has its own URL (the crash test finds it).
    url: fixtureUrl(`driven.html?app=${id}`),
    ...extra,
    publishes: [`${id}.echo.*`, ...(extra.publishes ?? [])],
    subscribes: ['host.test.cmd', ...(extra.subscribes ?? [])],
  };
}

const canvases: McCanvas[] = [];

/** A fresh canvas in the document; removed (and its host destroyed) by `cleanup`. */
export function createCanvas(options: HostOptions = {}): McCanvas {
  const canvas = document.createElement('mc-canvas');
  if (Object.keys(options).length > 0) canvas.host = new Host(options);
  document.body.append(canvas);
  canvases.push(canvas);
  return canvas;
}

/** Removes every canvas created by this file's tests. */
export function cleanup(): void {
  for (const canvas of canvases.splice(0)) {
    canvas.remove();
    canvas.host.destroy();
  }
}

/** Resolves with the first event on `pattern` that `accept` takes, or rejects after `ms`. */
export function nextEvent<T = unknown>(
  host: Host,
  pattern: `${string}.${string}.${string}`,
  accept: (event: McEvent<T>) => boolean = () => true,
  // Generous: a loaded 2-core machine running three engines can take seconds per frame.
  ms = 20_000,
): Promise<McEvent<T>> & { ready: Promise<void> } {
  let ready: Promise<void> = Promise.resolve();
  const event = new Promise<McEvent<T>>((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no event on ${pattern} within ${ms} ms`));
    }, ms);
    const off = host.subscribe<T>(pattern, (event) => {
      if (!accept(event)) return;
      clearTimeout(timer);
      off();
      resolve(event);
    });
    ready = off.ready;
  });
  // `ready`: the broker holds the subscription. Await it before making a widget publish
  // in a way that does not wait for anything else: its event may otherwise reach the
  // broker first, over its own port, and go to nobody.
  return Object.assign(event, { ready });
}

/** Collects every event on `pattern` until the returned stop function is called. */
export function collect<T = unknown>(
  host: Host,
  pattern: `${string}.${string}.${string}`,
): { events: McEvent<T>[]; stop: () => void; ready: Promise<void> } {
  const events: McEvent<T>[] = [];
  const off = host.subscribe<T>(pattern, (event) => events.push(event));
  return { events, stop: off, ready: off.ready };
}

/** Mounts a driven widget and waits until it is connected and listening for commands. */
export async function mountDriven(
  canvas: McCanvas,
  appId: string,
  extra: Partial<ManifestInput> = {},
): Promise<string> {
  if (!canvas.host.manifest(appId)) canvas.host.register(drivenManifest(appId, extra));
  const ready = nextEvent(canvas.host, `${appId}.echo.ready`);
  const slotId = canvas.mount({ app: appId, x: 0, y: 0, width: 200, height: 120 });
  const event = await ready;
  if (event.data !== slotId) throw new Error(`unexpected ready from ${String(event.data)}`);
  return slotId;
}

/** Sends a command to one driven widget. */
export function command(host: Host, slotId: string, cmd: Record<string, unknown>): void {
  host.publish('host.test.cmd', { to: slotId, ...cmd });
}

/** Resolves when a slot reaches `state` (checking the current status first). */
export async function waitForStatus(
  canvas: McCanvas,
  slotId: string,
  state: FrameStatus['state'],
  ms = 15000,
): Promise<FrameStatus> {
  await canvas.updateComplete;
  const frame = canvas.frame(slotId);
  if (!frame) throw new Error(`no frame for ${slotId}`);
  if (frame.status.state === state) return frame.status;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${slotId} stayed ${frame.status.state}, wanted ${state}`)),
      ms,
    );
    frame.addEventListener('mc-app-status', function listener(event) {
      if (event.status.state !== state) return;
      clearTimeout(timer);
      frame.removeEventListener('mc-app-status', listener);
      resolve(event.status);
    });
  });
}

/**
 * Resolves once a driven widget answers a command, sending it again every 100 ms until it
 * does: after a broker restart, a widget's SDK asks the new broker for its command
 * subscription again, and a command published before that reaches nobody.
 */
export async function answering(host: Host, appId: string, slotId: string): Promise<void> {
  let answered = false;
  const next = nextEvent(host, `${appId}.echo.window-messages`);
  await next.ready;
  const answer = next.then(() => (answered = true));
  while (!answered) {
    command(host, slotId, { cmd: 'window-messages' });
    await Promise.race([answer, new Promise((resolve) => setTimeout(resolve, 100))]);
  }
}
