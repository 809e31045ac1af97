import { copyFileSync, existsSync, rmSync } from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';
import { backupDatabase } from './backup.js';
import { holderPid } from './lock.js';

/**
 * Replaces the database with a backup. Refuses while a server holds the database, checks the
 * backup's integrity first, and backs up the current database so a restore can be undone.
 */
export async function restoreDatabase(backupFile: string, dbFile: string, backupDir: string, keep: number): Promise<{ safetyCopy: string | null }> {
  if (!existsSync(backupFile)) throw new Error(`No such backup: ${backupFile}`);
  const pid = holderPid(dbFile);
  if (pid !== null) throw new Error(`The server (pid ${pid}) is using ${dbFile}; stop it before restoring`);
  const check = new BetterSqlite3(backupFile, { readonly: true, fileMustExist: true });
  try {
    const result = check.pragma('integrity_check', { simple: true });
    if (result !== 'ok') throw new Error(`Backup failed its integrity check: ${String(result)}`);
  } finally {
    check.close();
  }
  const safetyCopy = await backupDatabase(dbFile, backupDir, Math.max(keep, 1) + 1);
  for (const suffix of ['-wal', '-shm']) rmSync(dbFile + suffix, { force: true });
  copyFileSync(backupFile, dbFile);
  return { safetyCopy };
}
