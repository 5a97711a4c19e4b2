/**
 * microcanvas/vite: the Vite plugin for host and widget projects (docs/vite.md), and the
 * header functions it applies, for the server of a production build.
 */
export { microcanvas } from './plugin.ts';
export type { MicrocanvasOptions, Role } from './options.ts';
export {
  DENIED_FEATURES,
  hostContentSecurityPolicy,
  hostPageHeaders,
  hostPermissionsPolicy,
  widgetHeaders,
  type HeaderOverrides,
  type HostHeaderOptions,
  type WidgetHeaderOptions,
} from './headers.ts';
export { WIDGETS_MODULE_ID } from './widgets-module.ts';
