export { AddressGuard, parseCidr } from './address-guard.ts';
export { Gateway, GATEWAY_PATH, type GatewayDeps } from './gateway.ts';
export { DEFAULT_GATEWAY_LIMITS, type GatewayConfig, type GatewayLimits } from './limits.ts';
export type { Rate } from './rate-limiter.ts';
