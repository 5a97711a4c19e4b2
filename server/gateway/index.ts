export { AddressGuard, parseCidr } from './address-guard.ts';
export {
  ASSERTION_TYPE,
  DEFAULT_GATEWAY_LIMITS,
  Gateway,
  GATEWAY_PATH,
  type GatewayConfig,
  type GatewayDeps,
  type GatewayLimits,
} from './gateway.ts';
export { IDENTITY_TOKEN_TYPE } from './identity.ts';
export type { Rate } from './rate-limiter.ts';
