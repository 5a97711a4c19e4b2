/**
 * microcanvas/server: the Node server (engines, HTTP health and metrics today; WebSocket
 * sync, spaces and auth next). See README's "Server" section and
 * docs/decisions/0013-server-engines.md.
 */
export {
  createServer,
  DEFAULT_DATA_FILE,
  DEFAULT_PORT,
  type McServer,
  type ServerOptions,
} from './server.ts';
export * from './engine/index.ts';
