/**
 * The second site of development. `localhost` and `127.0.0.1` are different sites to a
 * browser (site = scheme + registrable domain; an IP address is its own), so one server
 * bound to `127.0.0.1` is two sites: the host page on one name, its widgets on the other.
 */

/** The other loopback name of `hostHeader` (`localhost:5173` → `127.0.0.1:5173`); undefined for other hosts. */
export function loopbackTwin(hostHeader: string | undefined): string | undefined {
  const match = /^(localhost|127\.0\.0\.1)(:\d+)?$/.exec(hostHeader ?? '');
  if (match === null) return undefined;
  return `${match[1] === 'localhost' ? '127.0.0.1' : 'localhost'}${match[2] ?? ''}`;
}

/**
 * Browser code that computes the same at run time, from the page's own location: the widget
 * origin of a page served in dev or by `vite preview`. A page on any other name (a LAN
 * address) has no second name to use: its widgets come from its own origin, still
 * sandboxed but not cross-site.
 */
export const LOOPBACK_TWIN_SCRIPT = `const { protocol, hostname, port } = location;
const twin = { localhost: '127.0.0.1', '127.0.0.1': 'localhost' }[hostname];
const origin = twin ? protocol + '//' + twin + (port ? ':' + port : '') : location.origin;`;
