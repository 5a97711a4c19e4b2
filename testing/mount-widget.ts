import {
  allowAttribute,
  McError,
  sandboxAttribute,
  type HostContextPatch,
  type IdentityToken,
  type ManifestInput,
  type TopicPattern,
} from '../shell/index.ts';
import { widgetUrl } from './cross-site.ts';
import { HostClock } from './host-clock.ts';
import { SimHost } from './sim-host.ts';
import type { ModalAnswer } from './sim-surface.ts';
import { WidgetSimulator } from './widget-simulator.ts';

/** A manifest as a test declares it: `url` and `name` may come from elsewhere. */
export type SimManifest = Omit<ManifestInput, 'url' | 'name'> & { url?: string; name?: string };

/** Stand-ins for the host services a widget calls (only those its manifest lists work). */
export interface ServiceStubs {
  /** How dialogs are answered (`confirm` resolves to it): default false, as if dismissed. */
  modal?: ModalAnswer;
  /** What the app's storage holds when the widget starts: key → JSON value. */
  storage?: Record<string, unknown>;
  /** The identity tokens handed to the widget (`identity` service); default: `NOT_READY`. */
  identity?: (request: { app: string; slot: string }) => IdentityToken | Promise<IdentityToken>;
}

/** Options of {@link mountWidget}. */
export interface MountOptions {
  /**
   * The widget page. A path (`/widgets/clock.html`) is taken on the other site of this
   * server (`localhost` ↔ `127.0.0.1`); a full URL as is. Default: `manifest.url`.
   */
  url?: string;
  /** The widget's manifest: its rights come from here and nowhere else, as in production. */
  manifest: SimManifest;
  /** The host's theme, locale, user and tokens when the widget starts. */
  context?: HostContextPatch;
  /** Stand-ins for host services. */
  services?: ServiceStubs;
  /** The slot's box in CSS px (default 400 × 300): the frame's size, and the most `resize` gives. */
  size?: { width: number; height: number };
  /** Where the frame goes (default `document.body`). */
  container?: HTMLElement;
  /** Handshake deadline (default 10000 ms): then `mountWidget` rejects with `HANDSHAKE_TIMEOUT`. */
  timeoutMs?: number;
  /**
   * The heartbeat interval (default 250 ms, production's is 1000): a widget notices a host
   * that went away after about five intervals.
   */
  heartbeatIntervalMs?: number;
}

const mounted = new Set<WidgetSimulator>();
let slots = 0;

/**
 * Mounts a widget as a microcanvas host would, without a canvas: a real `Host` (broker in
 * a Worker, host services), the production sandbox and `allow` attributes, a cross-site
 * frame, the penpal handshake and a private broker port. Resolves once the widget is
 * connected; rejects with the mount's `McError` (`HANDSHAKE_TIMEOUT`, `INVALID_MANIFEST`, …).
 *
 * ```ts
 * const sim = await mountWidget({
 *   url: '/sample-apps/todo/index.html',
 *   manifest: { id: 'todo', subscribes: ['calendar.date.selected'], services: ['storage'] },
 * });
 * await sim.publish('calendar.date.selected', { date: '2030-01-15' });
 * ```
 */
export async function mountWidget(options: MountOptions): Promise<WidgetSimulator> {
  const url = options.url ?? options.manifest.url;
  if (!url) throw new McError('INVALID_ARGUMENT', 'mountWidget needs a url (or manifest.url)');
  const { services = {}, size = { width: 400, height: 300 } } = options;
  const slotId = `sim-${++slots}`;
  const clock = new HostClock();
  let simulator: WidgetSimulator | undefined;
  const host = new SimHost(
    {
      ...options.context,
      connectTimeoutMs: options.timeoutMs,
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? 250,
      heartbeatClock: clock,
    },
    slotId,
    {
      error: (error) => simulator?.relayListener.error(error),
      subscriptions: () => simulator?.relayListener.subscriptions(),
    },
  );
  let iframe: HTMLIFrameElement | undefined;
  try {
    const manifest = host.register({
      ...options.manifest,
      name: options.manifest.name ?? options.manifest.id,
      url: widgetUrl(url),
    });
    if (services.identity) {
      const mint = services.identity;
      host.services.identity = { identityToken: async (request) => mint(request) };
    }
    for (const [key, value] of Object.entries(services.storage ?? {})) {
      await host.services.storage.set(manifest.id, key, value);
    }
    iframe = document.createElement('iframe');
    iframe.title = manifest.name;
    iframe.dataset.mcSlot = slotId;
    iframe.dataset.mcApp = manifest.id;
    // The attributes <mc-frame> sets, from the same functions: the sandbox is production's.
    iframe.setAttribute('sandbox', sandboxAttribute());
    iframe.setAttribute('allow', allowAttribute(manifest.permissions));
    iframe.referrerPolicy = 'origin';
    iframe.style.cssText = `width:${size.width}px;height:${size.height}px;border:0;display:block`;
    (options.container ?? document.body).append(iframe);
    simulator = new WidgetSimulator({
      host,
      clock,
      manifest,
      iframe,
      slotId,
      box: size,
      modal: services.modal ?? false,
    });
    // What the widget publishes is recorded from the broker's side: only what it accepted.
    await Promise.all(
      manifest.publishes.map(
        (p) => host.subscribe(p as TopicPattern, simulator!.recordEvent).ready,
      ),
    );
    mounted.add(simulator);
    await simulator.start();
    return simulator;
  } catch (error) {
    if (simulator) unmount(simulator);
    else {
      iframe?.remove();
      host.destroy();
    }
    throw error;
  }
}

function unmount(simulator: WidgetSimulator): void {
  mounted.delete(simulator);
  simulator.unmount();
}

/** Unmounts every widget `mountWidget` mounted on this page (an `afterEach` one-liner). */
export function unmountAll(): void {
  for (const simulator of [...mounted]) unmount(simulator);
}
