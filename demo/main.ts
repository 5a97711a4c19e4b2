import {
  Host,
  IndexedDbStorageBackend,
  loadDevtools,
  McCanvas,
  McCatalog,
  McError,
  type McAppStatusEvent,
  type McDevtools,
} from 'microcanvas/shell';
import { CanvasPersistence, IndexedDbStore, WindowBridge } from 'microcanvas/sync';

import { gridLayout } from './layout.ts';
import { demoManifests, widgetOrigin } from './manifests.ts';
import { demoServer } from './server-config.ts';

/**
 * The demo host page: registers the three sample apps, lays them out on an editable
 * `<mc-canvas>` (saved in IndexedDB, synced across tabs), offers the app catalog, and shows
 * what the host itself sees in `<mc-devtools>` (the broker's decisions, public state,
 * refusals, live permissions) beside the page bridge and the sample backends' figures.
 */

const $ = <T extends HTMLElement>(selector: string): T => {
  const found = document.querySelector<T>(selector);
  if (!found) throw new McError('INVALID_ARGUMENT', `demo page lacks ${selector}`);
  return found;
};

/** The slots of the default layout, left to right. */
const APPS = [
  { app: 'calendar', slotId: 'calendar-1' },
  { app: 'todo', slotId: 'todo-1' },
  { app: 'chat', slotId: 'chat-1' },
];

const theme = new URLSearchParams(location.search).get('theme') === 'dark' ? 'dark' : 'light';
document.documentElement.dataset.theme = theme;
const themeLink = $<HTMLAnchorElement>('#theme-toggle');
themeLink.href = theme === 'dark' ? '?' : '?theme=dark';
themeLink.textContent = theme === 'dark' ? 'Light theme' : 'Dark theme';

/**
 * The dev server compiles each widget's modules on first request, and on a busy machine
 * that can outlast the default 10 s handshake deadline.
 */
const CONNECT_TIMEOUT_MS = 30_000;

const canvas = $<McCanvas>('mc-canvas');
// Also keeps the element's module in a tree-shaken build: importing only `Host` from the
// entry would let the bundler drop the module that defines <mc-canvas>.
if (!(canvas instanceof McCanvas)) {
  throw new McError('INVALID_ARGUMENT', '<mc-canvas> is not defined on this page');
}
// Give the canvas a host with the page's theme (widgets receive it at connect time) and
// deadline before anything is mounted. Widgets' stored values live in this page's IndexedDB
// (the todo app tells the user the host keeps its items: a reload must not lose a tick);
// the IndexedDB code loads with the first storage call, not with the page.
canvas.host = new Host({
  theme,
  connectTimeoutMs: CONNECT_TIMEOUT_MS,
  storage: new IndexedDbStorageBackend(),
});
const host = canvas.host;

const { origin, crossSite } = widgetOrigin();
$('#widget-origin').textContent = origin;
if (!crossSite) {
  $('#origin-warning').hidden = false;
}
// With a server (`npm start` starts one), the canvas is synced with space "demo" across
// devices, the server owns the layout, and the app catalog comes from its registry (with
// each app's health); demo/server-sync.ts is loaded only then.
const serverUrl = demoServer();
const server = serverUrl ? await import('./server-sync.ts') : undefined;
const fromRegistry = server && serverUrl ? await server.catalogFromRegistry(host, serverUrl) : 0;
// No server, or a registry without the apps: the page registers them itself.
if (fromRegistry === 0) for (const manifest of demoManifests(origin)) host.register(manifest);

// The host's own requests to the broker time out (5 s) like a widget's, and a timed-out
// subscription is dropped; so wait until the broker Worker is up before subscribing.
await host.stats();

// <mc-devtools> loads on its own (it is not in the shell's start-up bundle); attached before
// anything is mounted, its timeline misses nothing.
await loadDevtools();
$<McDevtools>('mc-devtools').host = host;

// The seed's "browser events" pattern: page code hears completed todos on `window`.
const bridge = new WindowBridge(host);
let heard = 0;
addEventListener('microapp:todo.item.completed', () => {
  $('#bridge-count').textContent = String(++heard);
});
await bridge.mirror(['todo.item.completed']);

const statuses = new Map<string, string>();
const showConnected = () => {
  const live = new Set(canvas.layout.map((s) => s.slotId));
  for (const slotId of statuses.keys()) if (!live.has(slotId)) statuses.delete(slotId);
  const connected = [...statuses.values()].filter((s) => s === 'connected').length;
  $('#connected').textContent = `${connected} of ${canvas.layout.length} connected`;
};
canvas.addEventListener('mc-app-status', (event: McAppStatusEvent) => {
  statuses.set(event.slotId, event.status.state);
  showConnected();
});
canvas.addEventListener('mc-layout-change', showConnected);

/** The default arrangement: the three apps side by side, as many per row as fit. */
const defaults = () => gridLayout(APPS, $('#stage').clientWidth).slots;

// With a server, IndexedDB keeps a copy of the layout for the next load and for offline use,
// and tabs meet at the server.
// Restore the saved layout (IndexedDB), or start from the defaults; other tabs of this
// demo follow every change.
const persistence = new CanvasPersistence(canvas, {
  id: 'demo',
  ...(server ? { store: server.localCache(new IndexedDbStore()) } : {}),
});
await persistence.start(defaults());
addEventListener('pagehide', () => void persistence.flush());
if (server && serverUrl) {
  // The e2e tests reach the link through this (to cut the socket as a lost network would).
  Object.assign(globalThis, {
    demoSync: await server.syncWithServer(canvas, serverUrl, $('.toolbar')),
  });
}

$('#reset-layout').addEventListener('click', () => {
  canvas.layout = defaults();
});

// `npm start`'s sample backends: their webhook and queue figures in the panel.
const env = (import.meta as { env?: Record<string, string | undefined> }).env;
if (server && env?.VITE_MC_TODO_BACKEND && env.VITE_MC_CHAT_BACKEND) {
  const { showBackends } = await import('./backend-panel.ts');
  showBackends(env.VITE_MC_TODO_BACKEND, env.VITE_MC_CHAT_BACKEND);
}

const catalog = $<McCatalog>('mc-catalog');
catalog.refresh();
