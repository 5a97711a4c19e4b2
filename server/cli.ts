#!/usr/bin/env node
/**
 * `microcanvas-server`: starts one server process from flags and environment variables
 * (config.ts has them all), logs JSON lines on stdout, and stops gracefully on SIGTERM or
 * SIGINT (exit 0), or with exit 1 when it cannot start.
 */
import { parseConfig, USAGE } from './config.ts';
import { createServer } from './server.ts';

async function main(): Promise<void> {
  let config;
  try {
    config = parseConfig(process.argv.slice(2), process.env);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}\n`);
    process.exit(2);
  }
  if (config.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (config.options.devTokens) {
    process.stderr.write(
      'WARNING: --dev-tokens is on. POST /dev/token signs a token for ANY user name to any\n' +
        'configured host origin. Demo only: never where users or data are real.\n',
    );
  }
  let server;
  try {
    server = await createServer(config.options);
  } catch (error) {
    process.stderr.write(
      `${JSON.stringify({ level: 50, msg: 'cannot start', err: String(error), time: Date.now() })}\n`,
    );
    process.exit(1);
  }
  const stop = (signal: NodeJS.Signals) => {
    server.logger.info({ signal }, 'signal received');
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        server.logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

await main();
