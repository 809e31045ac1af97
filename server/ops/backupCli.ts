import { ConfigError, loadConfig } from '../config.js';
import { backupDatabase } from './backup.js';

/** `npm run backup`: one consistent online backup now (safe while the server runs). */
async function run(): Promise<void> {
  const config = loadConfig();
  const file = await backupDatabase(config.databasePath, config.backupDir, Math.max(config.backupKeep, 1));
  console.log(file ? `Backup written: ${file}` : `No database at ${config.databasePath}: nothing to back up`);
}

run().catch((err) => {
  console.error(err instanceof ConfigError ? err.message : `Backup failed: ${(err as Error).message}`);
  process.exit(1);
});
