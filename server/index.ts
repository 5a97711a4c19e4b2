/**
 * microcanvas/server: the Node server (engines, HTTP health and metrics today; WebSocket
 * sync, spaces and auth next). See README's "Server" section and
 * docs/decisions/0013-server-engines.md.
 */
export {
  createServer,
  DEFAULT_DATA_FILE,
  DEMO_SPACE,
  DEFAULT_PORT,
  type McServer,
  type HttpOptions,
  type ServerOptions,
} from './server.ts';
export {
  createJwtAuthenticator,
  signToken,
  tokenFromRequest,
  TOKEN_AUDIENCE,
  type Authenticate,
  type ConnectionLimits,
  type Identity,
  type TransportConfig,
} from './transport/index.ts';
export { Spaces, type CreateSpaceOptions, type SpaceRecord } from './spaces/spaces.ts';
export * from './engine/index.ts';
export {
  AddressGuard,
  DEFAULT_GATEWAY_LIMITS,
  type GatewayConfig,
  type GatewayLimits,
} from './gateway/index.ts';
