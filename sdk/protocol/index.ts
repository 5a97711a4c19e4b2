export * from './version.ts';
export * from './errors.ts';
export * from './topics.ts';
export * from './limits.ts';
export * from './bounds.ts';
export * from './wire.ts';
export * from './manifest.ts';
export * from './handshake.ts';
