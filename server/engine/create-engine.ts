import { McError } from '../../sdk/protocol/errors.ts';
import type { Engine, EngineName, EngineOptions } from './types.ts';

/** What {@link createEngine} needs: the engine's name and where it lives. */
export interface EngineConfig extends EngineOptions {
  readonly engine: EngineName;
  /** embedded: the SQLite file (or `:memory:`); redis/nats: the server URL. */
  readonly url: string;
  readonly onError?: (reason: string) => void;
}

/**
 * Connects the engine `config` names. Each engine's module (and so its driver package:
 * better-sqlite3, ioredis, @nats-io/*) is loaded only when chosen, so that a deployment
 * installs only the driver it uses (they are optional peer dependencies).
 */
export async function createEngine(config: EngineConfig): Promise<Engine> {
  const { engine, url, ...options } = config;
  try {
    switch (engine) {
      case 'embedded': {
        const { createEmbeddedEngine } = await import('./embedded/embedded-engine.ts');
        return createEmbeddedEngine({ ...options, path: url });
      }
      case 'redis': {
        const { createRedisEngine } = await import('./redis/redis-engine.ts');
        return await createRedisEngine({ ...options, url });
      }
      case 'nats': {
        const { createNatsEngine } = await import('./nats/nats-engine.ts');
        return await createNatsEngine({ ...options, url });
      }
      default:
        throw new McError('INVALID_ARGUMENT', `unknown engine ${String(engine)}`);
    }
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ERR_MODULE_NOT_FOUND') {
      throw new McError(
        'STORAGE_UNAVAILABLE',
        `the ${engine} engine's driver is not installed (${(error as Error).message}); ` +
          `install ${DRIVERS[engine]}`,
      );
    }
    throw error;
  }
}

const DRIVERS: Record<EngineName, string> = {
  embedded: 'better-sqlite3@12',
  redis: 'ioredis@5',
  nats: '@nats-io/transport-node@3.3 @nats-io/jetstream@3.3 @nats-io/kv@3.3',
};
