import path from 'node:path';
import { ConfigError, loadConfig } from '../config.js';
import { restoreDatabase } from './restore.js';

/** `npm run restore -- <backup file>`: restore while the server is stopped. */
async function run(): Promise<void> {
  const file = process.argv[2];
  if (!file) throw new Error('Usage: npm run restore -- <backup file>');
  const config = loadConfig();
  const { safetyCopy } = await restoreDatabase(path.resolve(file), config.databasePath, config.backupDir, config.backupKeep);
  if (safetyCopy) console.log(`Previous database saved as ${safetyCopy}`);
  console.log(`Restored ${config.databasePath} from ${file}`);
}

run().catch((err) => {
  console.error(err instanceof ConfigError ? err.message : `Restore failed: ${(err as Error).message}`);
  process.exit(1);
});
