/**
 * Page files ↔ the URL paths they are served at, in dev (`/` for `index.html`) and in
 * preview (`/a/b` for `a/b.html` as well).
 */

/** Every path `page` (relative to the root, e.g. `widgets/todo/index.html`) may be asked for. */
export function pagePaths(page: string): string[] {
  const path = `/${page}`;
  const paths = [path, path.replace(/\.html$/, '')];
  if (path.endsWith('/index.html')) paths.push(path.slice(0, -'index.html'.length));
  return paths;
}

/** The paths of all `pages`, for lookups. */
export function pathSet(pages: Iterable<string>): Set<string> {
  return new Set([...pages].flatMap(pagePaths));
}

/** `base` as a path prefix: `'/'` for relative bases (`./`, `''`), else with slashes around. */
export function basePath(base: string): string {
  if (!base.startsWith('/')) return '/';
  return base.endsWith('/') ? base : `${base}/`;
}

/** The page-relative path of a request URL: without query, hash and base; `null` when outside base. */
export function requestPath(url: string | undefined, base: string): string | null {
  const raw = (url ?? '/').split(/[?#]/)[0] ?? '/';
  let path: string;
  try {
    path = decodeURI(raw);
  } catch {
    path = raw;
  }
  const prefix = basePath(base);
  if (prefix === '/') return path;
  if (!path.startsWith(prefix) && `${path}/` !== prefix) return null;
  return `/${path.slice(prefix.length)}`;
}

/** Input names for the build: widgets by their name, host pages by their path. */
export function buildInputName(page: string): string {
  return page.replace(/\.html$/, '').replace(/[^A-Za-z0-9_-]+/g, '-');
}
