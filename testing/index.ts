export {
  mountWidget,
  unmountAll,
  type MountOptions,
  type ServiceStubs,
  type SimManifest,
} from './mount-widget.ts';
export {
  WidgetSimulator,
  type ExpectOptions,
  type Notification,
  type PublishOptions,
  type SimStorage,
} from './widget-simulator.ts';
export { crossSiteUrl, otherSite } from './cross-site.ts';
export type { AppliedSize, ModalAnswer } from './sim-surface.ts';
export type { ReceivedError } from './port-relay.ts';
export type { RefusalCode, RefusedOp } from './refusals.ts';
export { EXPECT_TIMEOUT_MS } from './waiters.ts';
