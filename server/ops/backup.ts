import { existsSync, mkdirSync, readdirSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';

const NAME = /^(.+)-(\d{8}T\d{9}Z)(?:-\d+)?\.db$/;

/** Timestamp usable in a file name, sortable as text: 20261123T090102123Z. */
function stamp(d = new Date()): string {
  return d.toISOString().replace(/[-:]/g, '').replace('.', '');
}

/**
 * Writes a consistent copy of the database with SQLite's online backup API (safe under WAL,
 * unlike a file copy) and keeps only the newest `keep` backups. Returns the new file, or null
 * when there is no database yet.
 */
export async function backupDatabase(dbFile: string, backupDir: string, keep: number): Promise<string | null> {
  if (!existsSync(dbFile)) return null;
  mkdirSync(backupDir, { recursive: true });
  const base = path.basename(dbFile).replace(/\.[^.]+$/, '');
  let target = path.join(backupDir, `${base}-${stamp()}.db`);
  for (let i = 1; existsSync(target); i++) target = path.join(backupDir, `${base}-${stamp()}-${i}.db`);
  const src = new BetterSqlite3(dbFile, { fileMustExist: true });
  try {
    await src.backup(target);
  } finally {
    src.close();
  }
  pruneBackups(backupDir, base, keep);
  return target;
}

/** Lists this database's backups, newest first. */
export function listBackups(backupDir: string, base: string): string[] {
  if (!existsSync(backupDir)) return [];
  return readdirSync(backupDir)
    .filter((f) => NAME.exec(f)?.[1] === base)
    .sort()
    .reverse()
    .map((f) => path.join(backupDir, f));
}

function pruneBackups(backupDir: string, base: string, keep: number): void {
  if (keep <= 0) return;
  for (const old of listBackups(backupDir, base).slice(keep)) unlinkSync(old);
}
