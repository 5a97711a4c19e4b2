/** How long the probe waits for the widget's server. */
export const PROBE_TIMEOUT_MS = 5000;

/**
 * Which of the usual causes kept a widget from saying hello, found by fetching its page from
 * the host page after the deadline passed (once per failed mount, without credentials or
 * referrer; the body is not read):
 *
 * - refused by CORS but reachable without it: the server sends no
 *   `Access-Control-Allow-Origin`, so the frame's module scripts (CORS fetches with
 *   `Origin: null`) were blocked;
 * - an HTTP error status (a wrong URL: 404);
 * - not reachable at all (a wrong host, a server that is down, or this page's CSP);
 * - none of these: the page loads, so it likely never calls `connect()` (or its scripts fail,
 *   or only they lack the CORS header).
 *
 * The cross-origin frame itself tells the host nothing of this: its `load` fires for a 404
 * page and for a page whose scripts were blocked alike. Loaded with `import()` when a mount
 * first times out, so host pages do not carry it.
 */
export async function probeWidget(url: string): Promise<string> {
  const target = url.split('#')[0]!;
  const init: RequestInit = {
    credentials: 'omit',
    cache: 'no-store',
    referrerPolicy: 'no-referrer',
    signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
  };
  try {
    const response = await fetch(target, { ...init, mode: 'cors' });
    void response.body?.cancel().catch(() => undefined);
    if (!response.ok) return `${target} answered HTTP ${response.status}: is the URL right?`;
    return `${target} loads, with CORS: does the page call connect()? (or its scripts fail, or lack Access-Control-Allow-Origin)`;
  } catch {
    // CORS refused, or the server is not there: a no-cors fetch tells the two apart.
  }
  try {
    await fetch(target, { ...init, mode: 'no-cors' });
  } catch {
    return `${target} could not be fetched (a wrong host, the server down, or this page's connect-src)`;
  }
  return `${new URL(target).origin} sends no Access-Control-Allow-Origin, so the widget's module scripts are blocked in its sandboxed frame (Origin: null): serve them with Access-Control-Allow-Origin: *`;
}
