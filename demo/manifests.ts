export { demoManifests } from './apps.ts';

/**
 * The origin widgets are loaded from: another *site* than the page, so the browser keeps
 * them apart even before the sandbox does. On `localhost` that is `127.0.0.1` on the same
 * port (the dev server listens on both), and vice versa. Anywhere else there is no second
 * loopback name to use, so the demo falls back to its own origin and says so.
 */
export function widgetOrigin(page: Location = location): { origin: string; crossSite: boolean } {
  const port = page.port ? `:${page.port}` : '';
  if (page.hostname === 'localhost')
    return { origin: `${page.protocol}//127.0.0.1${port}`, crossSite: true };
  if (page.hostname === '127.0.0.1')
    return { origin: `${page.protocol}//localhost${port}`, crossSite: true };
  return { origin: page.origin, crossSite: false };
}
