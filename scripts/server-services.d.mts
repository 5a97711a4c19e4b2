import type { ChildProcess } from 'node:child_process';

export const REDIS_SERVER: string;
export const NATS_SERVER: string;
export function redisAnswers(url: string): Promise<boolean | undefined>;
export function natsAnswers(url: string): Promise<boolean>;
export function freePort(): Promise<number>;
export function ensureServiceBinaries(): { redis: boolean; nats: boolean };
export function startRedis(
  port: number,
  options?: { dir?: string; appendonly?: boolean },
): Promise<{ url: string; child: ChildProcess }>;
export function startNats(port: number, dir: string): Promise<{ url: string; child: ChildProcess }>;
export function provideServices(): Promise<{
  env: Record<string, string>;
  missing: string[];
  stop(): void;
}>;
