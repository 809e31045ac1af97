import { existsSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';

/** Path of the pid file a running server keeps next to its database. */
export function lockPath(dbFile: string): string {
  return `${dbFile}.pid`;
}

/** Pid of a live server holding the database, or null. Stale pid files are ignored. */
export function holderPid(dbFile: string): number | null {
  const file = lockPath(dbFile);
  if (!existsSync(file)) return null;
  const pid = Number(readFileSync(file, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0) return null;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM' ? pid : null;
  }
}

/** Marks the database as held by this process; returns the release function. */
export function holdDatabase(dbFile: string): () => void {
  const file = lockPath(dbFile);
  writeFileSync(file, String(process.pid));
  return () => {
    try {
      if (readFileSync(file, 'utf8').trim() === String(process.pid)) unlinkSync(file);
    } catch {
      /* already gone */
    }
  };
}
