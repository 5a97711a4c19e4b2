import { McError } from '../sdk/protocol/errors.ts';
import type { HeaderOverrides } from './headers.ts';

/** Which pages a project serves: a host page, widget pages, or both (the demo). */
export type Role = 'host' | 'widget' | 'both';

/** Options of {@link microcanvas}. Paths are relative to Vite's `root`. */
export interface MicrocanvasOptions {
  /**
   * `host`: the project's pages are host pages; `widget`: every page and file is a widget's;
   * `both`: host pages plus widgets served to them from a second site (the default when
   * `widgets` is given, else `host`).
   */
  role?: Role;
  /** The host pages (HTML files with `<mc-canvas>`). Default `['index.html']`. */
  hostPages?: readonly string[];
  /**
   * The widgets, each an HTML page of its own: `{ todo: 'widgets/todo/index.html' }`. Each
   * is an input of the build, served with widget headers, and its URL on the widget site is
   * `widgets.todo` of `virtual:microcanvas/widgets`.
   */
  widgets?: Readonly<Record<string, string>>;
  /**
   * Where the widgets are deployed (`https://widgets.example`), another site than the host.
   * The build's widget URLs point there, and host pages may frame it. Without it a build's
   * widget URLs point to the loopback name the page is not on (`vite preview` only), and the
   * build warns.
   */
  widgetOrigin?: string;
  /** Further origins host pages may frame (widgets of other projects): CSP `frame-src`. */
  frameSrc?: readonly string[];
  /** Origins host pages connect to (a microcanvas server): CSP `connect-src`. */
  connectSrc?: readonly string[];
  /** Who may frame the host pages: CSP `frame-ancestors`. Default `["'none'"]`. */
  frameAncestors?: readonly string[];
  /**
   * Host origins allowed to frame the widget pages (CSP `frame-ancestors` of widgets). With
   * role `both` the host's own loopback name is added in dev and preview. Default: any.
   */
  hostOrigins?: readonly string[];
  /** Browser features delegated to widget origins: `{ camera: ['https://widgets.example'] }`. */
  permissions?: Readonly<Record<string, readonly string[]>>;
  /** Header overrides: a string replaces a header, `false` removes it. */
  headers?: { host?: HeaderOverrides; widget?: HeaderOverrides };
}

/** Options with defaults filled in and checked. */
export interface ResolvedOptions extends Omit<
  MicrocanvasOptions,
  'role' | 'hostPages' | 'widgets'
> {
  role: Role;
  hostPages: readonly string[];
  widgets: Readonly<Record<string, string>>;
}

const ROLES: readonly Role[] = ['host', 'widget', 'both'];
/** A widget name is a key of the virtual module's `widgets` and an input name of the build. */
const WIDGET_NAME = /^[A-Za-z0-9_-]+$/;

/** An origin as the browser writes it (`scheme://host[:port]`, no path): CSP needs exactly that. */
function checkOrigin(what: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new McError('INVALID_ARGUMENT', `${what}: not a URL: ${JSON.stringify(value)}`);
  }
  if (url.origin === 'null' || url.origin !== value.replace(/\/$/, '')) {
    throw new McError(
      'INVALID_ARGUMENT',
      `${what}: not an origin (scheme://host[:port]): ${JSON.stringify(value)}`,
    );
  }
  return url.origin;
}

/** A page path relative to the root: no `..`, no absolute path, an `.html` file. */
function checkPage(what: string, path: string): string {
  const clean = path.replace(/^\.\//, '');
  if (!/\.html$/.test(clean) || clean.startsWith('/') || clean.split('/').includes('..')) {
    throw new McError(
      'INVALID_ARGUMENT',
      `${what}: an .html file under the root, like 'widgets/todo/index.html': ${JSON.stringify(path)}`,
    );
  }
  return clean;
}

/** Fills in the defaults; throws McError `INVALID_ARGUMENT` naming the bad option. */
export function resolveOptions(options: MicrocanvasOptions = {}): ResolvedOptions {
  const widgets: Record<string, string> = {};
  for (const [name, path] of Object.entries(options.widgets ?? {})) {
    if (!WIDGET_NAME.test(name)) {
      throw new McError(
        'INVALID_ARGUMENT',
        `widgets: a name of letters, digits, - and _: ${JSON.stringify(name)}`,
      );
    }
    widgets[name] = checkPage(`widgets.${name}`, path);
  }
  const role = options.role ?? (Object.keys(widgets).length > 0 ? 'both' : 'host');
  if (!ROLES.includes(role)) {
    throw new McError(
      'INVALID_ARGUMENT',
      `role: 'host', 'widget' or 'both': ${JSON.stringify(role)}`,
    );
  }
  const origins = (what: string, values: readonly string[] | undefined) =>
    values?.map((value, i) => checkOrigin(`${what}[${i}]`, value));
  const permissions: Record<string, readonly string[]> = {};
  for (const [feature, allowed] of Object.entries(options.permissions ?? {})) {
    permissions[feature] = origins(`permissions.${feature}`, allowed) ?? [];
  }
  return {
    ...options,
    role,
    hostPages: (options.hostPages ?? ['index.html']).map((p, i) => checkPage(`hostPages[${i}]`, p)),
    widgets,
    widgetOrigin:
      options.widgetOrigin === undefined
        ? undefined
        : checkOrigin('widgetOrigin', options.widgetOrigin),
    frameSrc: origins('frameSrc', options.frameSrc),
    connectSrc: origins('connectSrc', options.connectSrc),
    hostOrigins: origins('hostOrigins', options.hostOrigins),
    permissions,
  };
}
