/**
 * The response headers of the two kinds of page a canvas has: the host page, which must
 * protect itself from whoever embeds or opens it (THREATS.md guarantee 10), and the widget
 * pages, which a sandboxed frame (an opaque origin, `Origin: null`) must be able to load.
 * Plain functions of their options, exported for the server that serves a production build.
 */

/**
 * Features the host page denies by default. A Permissions-Policy that denies a feature to
 * the page denies it to every frame in it too, whatever the frame's `allow` attribute says,
 * so a widget can only get one of these when the host lists it in `permissions`.
 */
export const DENIED_FEATURES = [
  'camera',
  'microphone',
  'geolocation',
  'payment',
  'usb',
  'serial',
  'hid',
  'display-capture',
  'midi',
  'accelerometer',
  'gyroscope',
  'magnetometer',
  'publickey-credentials-get',
  'screen-wake-lock',
  'xr-spatial-tracking',
] as const;

/** A header map; a `false` value in an override removes the header. */
export type HeaderOverrides = Readonly<Record<string, string | false>>;

/** What the host page's headers depend on. */
export interface HostHeaderOptions {
  /** Origins the page frames (the widgets' sites): CSP `frame-src`. */
  frameSrc?: readonly string[];
  /** Origins the page connects to (a microcanvas server): CSP `connect-src`; ws(s) added. */
  connectSrc?: readonly string[];
  /** Who may frame the host page: CSP `frame-ancestors`. Default `'none'`. */
  frameAncestors?: readonly string[];
  /** Features delegated to widget origins: `{ camera: ['https://widgets.example'] }`. */
  permissions?: Readonly<Record<string, readonly string[]>>;
  /** Replace or (with `false`) remove any header. */
  overrides?: HeaderOverrides;
}

/** What a widget page's headers depend on. */
export interface WidgetHeaderOptions {
  /** Sites allowed to frame the widget page: CSP `frame-ancestors`. None: any. */
  frameAncestors?: readonly string[];
  /** Replace or (with `false`) remove any header. */
  overrides?: HeaderOverrides;
}

/** `https://a.example` → `wss://a.example`, for `connect-src`: CSP does not derive one from the other everywhere. */
function withSockets(origins: readonly string[]): string[] {
  return origins.flatMap((origin) => {
    const socket = origin.replace(/^http(s?):\/\//, 'ws$1://');
    return socket === origin ? [origin] : [origin, socket];
  });
}

/** `['a', 'a', 'b']` → `'a b'`. */
const list = (values: readonly string[]): string => [...new Set(values)].join(' ');

/**
 * The host page's Content-Security-Policy: scripts, Workers and styles from its own origin
 * only (the shell's broker Worker and its port reaper are same-origin module Workers), frames
 * from the widget sites only, nothing inline but styles (Lit and Vite's dev server inject
 * `<style>`), no plugins, and no embedding by other sites.
 */
export function hostContentSecurityPolicy(options: HostHeaderOptions = {}): string {
  const frameSrc = options.frameSrc ?? [];
  const directives: Array<[string, string[]]> = [
    ['default-src', ["'self'"]],
    ['script-src', ["'self'"]],
    ['worker-src', ["'self'"]],
    ['style-src', ["'self'", "'unsafe-inline'"]],
    ['img-src', ["'self'", 'data:', 'blob:']],
    ['font-src', ["'self'", 'data:']],
    ['connect-src', ["'self'", ...withSockets(options.connectSrc ?? [])]],
    // Without a widget site there is nothing to frame; an empty list would be invalid.
    ['frame-src', frameSrc.length > 0 ? [...frameSrc] : ["'none'"]],
    ['object-src', ["'none'"]],
    ['base-uri', ["'self'"]],
    ['form-action', ["'self'"]],
    ['frame-ancestors', [...(options.frameAncestors ?? ["'none'"])]],
  ];
  return directives.map(([name, values]) => `${name} ${list(values)}`).join('; ');
}

/**
 * The host page's Permissions-Policy: every feature of {@link DENIED_FEATURES} denied, but
 * those listed in `permissions`, which the page keeps and may delegate to the origins given
 * (a frame still needs its manifest's permission for the `allow` attribute).
 */
export function hostPermissionsPolicy(
  permissions: Readonly<Record<string, readonly string[]>> = {},
): string {
  const features = new Set<string>([...DENIED_FEATURES, ...Object.keys(permissions)]);
  return [...features]
    .map((feature) => {
      const origins = permissions[feature];
      if (origins === undefined) return `${feature}=()`;
      return `${feature}=(${['self', ...origins.map((o) => JSON.stringify(o))].join(' ')})`;
    })
    .join(', ');
}

/** Applies overrides: a string replaces (names compared without case), `false` removes. */
function overridden(headers: Record<string, string>, overrides: HeaderOverrides = {}) {
  const out = new Map(
    Object.entries(headers).map(([name, value]) => [name.toLowerCase(), { name, value }]),
  );
  for (const [name, value] of Object.entries(overrides)) {
    if (value === false) out.delete(name.toLowerCase());
    else out.set(name.toLowerCase(), { name, value });
  }
  return Object.fromEntries([...out.values()].map(({ name, value }) => [name, value]));
}

/** The headers of a host page (HTML documents with `<mc-canvas>`). */
export function hostPageHeaders(options: HostHeaderOptions = {}): Record<string, string> {
  return overridden(
    {
      'Content-Security-Policy': hostContentSecurityPolicy(options),
      // Nothing cross-origin the page opens (or that opens it) gets a handle on its window.
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Permissions-Policy': hostPermissionsPolicy(options.permissions),
      // Widgets see the host's origin as referrer, never its path or query.
      'Referrer-Policy': 'strict-origin-when-cross-origin',
      'X-Content-Type-Options': 'nosniff',
    },
    options.overrides,
  );
}

/**
 * The headers of everything a widget frame loads: its page, scripts, styles and assets. A
 * sandboxed frame without `allow-same-origin` has an opaque origin, so its module scripts
 * and `fetch`es are CORS requests with `Origin: null`: they need
 * `Access-Control-Allow-Origin: *` (a credential-free wildcard: widget files are public),
 * and `Cross-Origin-Resource-Policy: cross-origin` lets a host that isolates itself with
 * `Cross-Origin-Embedder-Policy` still load them.
 */
export function widgetHeaders(options: WidgetHeaderOptions = {}): Record<string, string> {
  const headers: Record<string, string> = {
    'Access-Control-Allow-Origin': '*',
    'Cross-Origin-Resource-Policy': 'cross-origin',
    'X-Content-Type-Options': 'nosniff',
  };
  if (options.frameAncestors !== undefined && options.frameAncestors.length > 0) {
    headers['Content-Security-Policy'] = `frame-ancestors ${list(options.frameAncestors)}`;
  }
  return overridden(headers, options.overrides);
}
