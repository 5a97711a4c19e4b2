import type { Connect } from 'vite';

import { hostPageHeaders, widgetHeaders } from './headers.ts';
import { loopbackTwin } from './loopback.ts';
import type { ResolvedOptions } from './options.ts';
import { pathSet, requestPath } from './pages.ts';

/** Which headers a request gets. */
export type PageKind = 'host' | 'widget' | 'none';

/**
 * Decides per request: a host page, or any other top-level document that is not a widget
 * page (Vite's SPA fallback answers unknown paths with index.html), gets the host headers;
 * with role `widget` or `both` everything else gets the widget headers, since a widget frame
 * loads the project's shared modules and dependencies too.
 */
export function pageKind(
  options: ResolvedOptions,
  path: string | null,
  fetchDest: string | undefined,
): PageKind {
  if (options.role === 'widget') return 'widget';
  const hostPaths = pathSet(options.hostPages);
  const widgetPaths = pathSet(Object.values(options.widgets));
  if (path !== null && hostPaths.has(path)) return 'host';
  const widgetPage = path !== null && widgetPaths.has(path);
  if (fetchDest === 'document' && !widgetPage) return 'host';
  return options.role === 'both' ? 'widget' : 'none';
}

/**
 * The headers middleware of the dev server (`dev`: its HMR WebSocket is allowed) and of
 * `vite preview`. The widget site is the loopback name the request did not use.
 */
export function headersMiddleware(
  options: ResolvedOptions,
  base: string,
  dev: boolean,
): Connect.NextHandleFunction {
  return (req, res, next) => {
    const path = requestPath(req.url, base);
    const dest = req.headers['sec-fetch-dest'];
    const kind = pageKind(options, path, Array.isArray(dest) ? dest[0] : dest);
    const host = req.headers.host;
    const twin = loopbackTwin(host);
    const scheme = 'encrypted' in req.socket && req.socket.encrypted ? 'https' : 'http';
    let headers: Record<string, string> = {};
    if (kind === 'host') {
      const frameSrc = [...(options.frameSrc ?? [])];
      if (options.widgetOrigin !== undefined) frameSrc.push(options.widgetOrigin);
      // Without a second loopback name the widgets come from this origin (LOOPBACK_TWIN_SCRIPT).
      if (options.role === 'both')
        frameSrc.push(twin === undefined ? "'self'" : `${scheme}://${twin}`);
      const connectSrc = [...(options.connectSrc ?? [])];
      if (dev && host !== undefined)
        connectSrc.push(`${scheme === 'https' ? 'wss' : 'ws'}://${host}`);
      headers = hostPageHeaders({
        frameSrc,
        connectSrc,
        frameAncestors: options.frameAncestors,
        permissions: options.permissions,
        overrides: options.headers?.host,
      });
    } else if (kind === 'widget') {
      const frameAncestors = [...(options.hostOrigins ?? [])];
      if (options.role === 'both' && twin !== undefined) frameAncestors.push(`${scheme}://${twin}`);
      headers = widgetHeaders({ frameAncestors, overrides: options.headers?.widget });
    }
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    next();
  };
}
