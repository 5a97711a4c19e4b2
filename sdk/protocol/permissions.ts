/**
 * Permissions a manifest may ask for, each mapped to one iframe `allow` feature.
 * Anything not listed here cannot be granted. Apart from manifest.ts (the schema, zod) so
 * that the page's start-up code can read it without loading zod.
 */
export const PERMISSIONS = {
  camera: 'camera',
  microphone: 'microphone',
  geolocation: 'geolocation',
  'clipboard-write': 'clipboard-write',
  'clipboard-read': 'clipboard-read',
} as const;
export type Permission = keyof typeof PERMISSIONS;
