import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

import type { Logger, Plugin, UserConfig } from 'vite';

import { McError } from '../sdk/protocol/errors.ts';
import { headersMiddleware } from './middleware.ts';
import { resolveOptions, type MicrocanvasOptions, type ResolvedOptions } from './options.ts';
import { buildInputName } from './pages.ts';
import { WIDGETS_MODULE_ID, widgetsModule } from './widgets-module.ts';

/** Vite's prefix for ids that are no file, so other plugins leave them alone. */
const RESOLVED_WIDGETS_ID = `\0${WIDGETS_MODULE_ID}`;

/** The build's inputs: what the user gave (or the host pages), plus every widget page. */
function buildInput(config: UserConfig, options: ResolvedOptions, root: string) {
  const build = config.build ?? {};
  const given = build.rolldownOptions?.input ?? build.rollupOptions?.input;
  const input: Record<string, string> = {};
  if (typeof given === 'string') input[buildInputName(given)] = given;
  else if (Array.isArray(given)) for (const file of given) input[buildInputName(file)] = file;
  else if (given !== undefined) Object.assign(input, given);
  else if (options.role !== 'widget') {
    for (const page of options.hostPages) {
      const file = resolve(root, page);
      if (existsSync(file)) input[buildInputName(page)] = file;
    }
  }
  for (const [name, page] of Object.entries(options.widgets)) input[name] = resolve(root, page);
  return input;
}

/** What `announce` needs of a dev or preview server. */
interface PrintingServer {
  printUrls(): void;
  httpServer: { address(): unknown } | null;
  config: { logger: Logger; base: string };
}

/** Adds the host page's URL on `localhost` and the widget site under Vite's own URLs. */
function announce(server: PrintingServer, role: string) {
  const print = server.printUrls.bind(server);
  server.printUrls = () => {
    print();
    const address = server.httpServer?.address();
    const port =
      typeof address === 'object' && address !== null && 'port' in address
        ? address.port
        : undefined;
    const info = (line: string) => server.config.logger.info(line);
    if (role === 'both' && typeof port === 'number') {
      info(
        `  ➜  Host:    http://localhost:${port}${server.config.base}  (microcanvas: widgets from http://127.0.0.1:${port}, another site)`,
      );
    } else if (role === 'widget') {
      info(
        '  ➜  microcanvas: widget pages served with the headers sandboxed frames need (CORS, CORP)',
      );
    }
  };
}

/**
 * The microcanvas Vite plugin, for host and widget projects alike.
 *
 * - Host pages get the headers that protect a canvas from its embedder (CSP with
 *   `frame-ancestors`, COOP, Permissions-Policy), in `vite` and `vite preview`.
 * - Widget pages and everything they load get the headers an opaque-origin frame needs
 *   (`Access-Control-Allow-Origin: *`, `Cross-Origin-Resource-Policy: cross-origin`).
 * - In development the server listens on `127.0.0.1`, and widgets come from the loopback
 *   name the page is not on (`localhost` ↔ `127.0.0.1`): a second site, same server.
 * - `vite build` builds every widget as a page of its own, beside the host pages.
 * - `virtual:microcanvas/widgets` gives host code each widget's URL on the widget site.
 *
 * @throws McError `INVALID_ARGUMENT` naming a bad option.
 */
export function microcanvas(userOptions: MicrocanvasOptions = {}): Plugin {
  const options = resolveOptions(userOptions);
  if (options.role === 'host' && Object.keys(options.widgets).length > 0) {
    throw new McError(
      'INVALID_ARGUMENT',
      "widgets: a host-only project serves no widgets (role 'both' or 'widget')",
    );
  }
  let base = '/';
  let building = false;
  return {
    name: 'microcanvas',
    config(config, { command }) {
      const root = resolve(config.root ?? '.');
      const extra: UserConfig = {};
      // IPv4 loopback, so that both names reach the server: `localhost` alone may bind ::1 only.
      if (config.server?.host === undefined) extra.server = { host: '127.0.0.1' };
      if (config.preview?.host === undefined) extra.preview = { host: '127.0.0.1' };
      if (command === 'build') {
        const input = buildInput(config, options, root);
        // The key the user wrote, so that Vite sees one input, not two to reconcile.
        const key =
          config.build?.rollupOptions?.input !== undefined ? 'rollupOptions' : 'rolldownOptions';
        extra.build = { [key]: { input } };
      }
      return extra;
    },
    configResolved(config) {
      base = config.base;
      building = config.command === 'build';
      const widgets = Object.keys(options.widgets).length > 0;
      if (building && options.role === 'both' && widgets && options.widgetOrigin === undefined) {
        config.logger.warn(
          'microcanvas: no widgetOrigin: the widget URLs of this build point to 127.0.0.1/localhost and work in `vite preview` only',
        );
      }
    },
    configureServer(server) {
      server.middlewares.use(headersMiddleware(options, server.config.base, true));
      announce(server, options.role);
    },
    configurePreviewServer(server) {
      server.middlewares.use(headersMiddleware(options, server.config.base, false));
      announce(server, options.role);
    },
    resolveId(id) {
      return id === WIDGETS_MODULE_ID ? RESOLVED_WIDGETS_ID : undefined;
    },
    load(id) {
      return id === RESOLVED_WIDGETS_ID ? widgetsModule(options, base, building) : undefined;
    },
  };
}
