import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './lib/logger.js';
import { startServer } from './server.js';

/** Process entry: config → backup → db → migrate → listen; SIGTERM/SIGINT drain and exit. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  for (const w of config.warnings) logger.warn(w);
  let running;
  try {
    running = await startServer(config, logger);
  } catch (err) {
    logger.fatal({ err: { message: (err as Error).message } }, 'server failed to start');
    process.exit(1);
  }
  logger.info({ url: running.url, bind: `${config.host}:${running.port}`, env: config.env }, 'server listening');
  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    running.close().then(
      () => process.exit(0),
      (err) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

void main();
