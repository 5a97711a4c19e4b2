/**
 * The server the demo syncs with: `?server=<url>`, else the one `npm start` started
 * (`VITE_MC_SERVER_URL`); none with `?server=off` or without either (then the canvas is saved
 * in this browser and synced across its tabs only, as before there was a server).
 */
export function demoServer(): string | undefined {
  const asked = new URLSearchParams(location.search).get('server');
  if (asked === 'off') return undefined;
  const env = (import.meta as { env?: Record<string, string | undefined> }).env;
  return asked || env?.VITE_MC_SERVER_URL || undefined;
}
