import { McError, type Host, type McCanvas } from 'microcanvas/shell';
import {
  CanvasRemote,
  EventRemote,
  IdentityRemote,
  McSyncStatus,
  RegistryCatalog,
  ServerLink,
  cacheOnly,
} from 'microcanvas/remote';

/**
 * The demo's server sync, loaded only when the demo has a server (`npm start` starts one):
 * a dev token for the demo user (the server's `--dev-tokens` mode; a real host gets its
 * token from its own sign-in), one {@link ServerLink}, the canvas synced with space `demo`,
 * the apps' synced events and states with the same space (manifest `sync`: a todo ticked on
 * one device is announced in the chat on the other), identity tokens for the widgets' backends
 * (`identity` service), and an `<mc-sync-status>` in the
 * toolbar. `?user=<name>` signs in as someone else (who is
 * not a member of `demo`, and is refused).
 */

/**
 * Fills the host's catalog from the server's registry and follows it (updates remount an
 * app's widgets; an unhealthy backend makes its app unavailable). Resolves to how many apps
 * the registry had: 0 when it could not be read (the page then registers its own).
 */
export async function catalogFromRegistry(host: Host, server: string): Promise<number> {
  const catalog = new RegistryCatalog({
    url: server,
    host,
    onError: (error) => console.warn('registry:', error.message),
  });
  try {
    await catalog.start();
  } catch (error) {
    console.warn('registry unavailable:', (error as Error).message);
    catalog.stop();
    return 0;
  }
  Object.assign(globalThis, { demoCatalog: catalog });
  return host.manifests().length;
}

/** The canvas's local store beside a server: a cache of this tab, no tab merging (docs/sync.md). */
export function localCache(store: Parameters<typeof cacheOnly>[0]): ReturnType<typeof cacheOnly> {
  return cacheOnly(store);
}

/** Starts syncing `canvas` with space `demo` on `server`; resolves with the link and the remote. */
export async function syncWithServer(canvas: McCanvas, server: string, toolbar: HTMLElement) {
  const user = new URLSearchParams(location.search).get('user') || 'demo';
  const getToken = async (): Promise<string> => {
    const response = await fetch(new URL('/dev/token', server), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user }),
    });
    const body = (await response.json().catch(() => ({}))) as { token?: unknown };
    if (!response.ok || typeof body.token !== 'string') {
      throw new McError('UNAUTHENTICATED', `no dev token (HTTP ${response.status})`);
    }
    return body.token;
  };
  const link = new ServerLink({ url: server, getToken });
  const remote = new CanvasRemote(canvas, { link, space: 'demo' });
  const status = new McSyncStatus();
  status.id = 'sync-status';
  status.link = link;
  status.remote = remote;
  toolbar.append(status);
  const events = new EventRemote(canvas.host, { link, space: 'demo' });
  events.start();
  // Widgets whose manifest lists the `identity` service get tokens for their backends.
  const identity = new IdentityRemote(canvas.host, { link, space: 'demo' });
  identity.start();
  await remote.start();
  return { link, remote, events, identity, user };
}
