import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from './config.js';
import { createApp } from './app.js';
import { createDeps, type Deps } from './deps.js';
import { createKysely, openSqlite } from './db/database.js';
import { migrateToLatest } from './db/migrator.js';
import { backupDatabase } from './ops/backup.js';
import { holdDatabase } from './ops/lock.js';
import { loadKoaBody } from './middleware/bodyParser.js';
import type { Logger } from './lib/logger.js';

export interface RunningServer {
  url: string;
  port: number;
  deps: Deps;
  http: http.Server;
  /** Stops accepting, finishes in-flight requests, closes sockets and the database. */
  close(): Promise<void>;
}

/** Startup in the documented order: backup → open DB → migrate → build deps → listen. */
export async function startServer(config: Config, logger: Logger): Promise<RunningServer> {
  if (config.backupKeep > 0) {
    try {
      const file = await backupDatabase(config.databasePath, config.backupDir, config.backupKeep);
      if (file) logger.info({ file }, 'database backed up');
    } catch (err) {
      throw new Error(`Startup backup failed (${(err as Error).message}); refusing to start. Fix BACKUP_DIR or set BACKUP_KEEP=0 to skip.`);
    }
  }
  const sqlite = openSqlite(config.databasePath);
  const release = holdDatabase(config.databasePath);
  const db = createKysely(sqlite);
  try {
    const applied = await migrateToLatest(db);
    if (applied.length) logger.info({ applied }, 'migrations applied');
  } catch (err) {
    await db.destroy();
    release();
    throw err;
  }
  const deps = createDeps(config, logger, db, sqlite);
  const recovered = await deps.ai.recover();
  if (recovered) logger.warn({ recovered }, 'closed assistant replies left unfinished by a crash');
  deps.ai.start();
  const app = createApp(deps);
  const server = http.createServer(app.callback());
  server.headersTimeout = 20_000;
  server.requestTimeout = 60_000;
  for (const attach of deps.attachers) attach(server);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  void loadKoaBody(); // warm the body parser off the start-up path
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  let closing: Promise<void> | null = null;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      for (const stop of deps.stoppers) await stop();
      const force = setTimeout(() => server.closeAllConnections(), 5_000);
      await closed;
      clearTimeout(force);
      await db.destroy();
      release();
    })());

  return { url, port, deps, http: server, close };
}
