export { AddressGuard, parseCidr } from './address-guard.ts';
export {
  DEFAULT_GATEWAY_LIMITS,
  Gateway,
  GATEWAY_PATH,
  type GatewayConfig,
  type GatewayDeps,
  type GatewayLimits,
} from './gateway.ts';
export type { Rate } from './rate-limiter.ts';
