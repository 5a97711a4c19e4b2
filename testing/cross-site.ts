import { McError } from '../shell/index.ts';

/**
 * The origin of "another site" on the same server: a test page served on `localhost` gets
 * `127.0.0.1` on the same port, and the other way round. @web/test-runner and Vite's dev
 * server answer on both, so a widget from there is a real cross-site frame, as in
 * production (where widgets live on their own domains).
 */
export function otherSite(): string {
  const { protocol, hostname, port } = location;
  const other = hostname === 'localhost' ? '127.0.0.1' : 'localhost';
  return `${protocol}//${other}${port ? `:${port}` : ''}`;
}

/** A path on {@link otherSite}: `crossSiteUrl('/widgets/clock.html')`. */
export function crossSiteUrl(path: string): string {
  return new URL(path, `${otherSite()}/`).href;
}

/**
 * The URL a widget is mounted from: a path is taken on {@link otherSite}; a full URL as is,
 * but never one of this page's own origin, which would test a widget that production never
 * runs (the shell loads every widget from its own site).
 */
export function widgetUrl(url: string): string {
  const absolute = /^[a-z][a-z0-9+.-]*:/i.test(url) ? url : crossSiteUrl(url);
  if (new URL(absolute).origin === location.origin) {
    throw new McError(
      'INVALID_ARGUMENT',
      `${absolute} is on the test page's own origin: serve the widget from another site ` +
        `(a path such as "/my-widget.html" is taken on ${otherSite()})`,
    );
  }
  return absolute;
}
