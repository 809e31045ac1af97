import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../../config.js';
import type { Db } from '../../db/schema.js';
import type { Logger } from '../../lib/logger.js';
import * as repo from './repo.js';
import type { UploadRow } from './repo.js';
import { FOLDERS, STORED_NAME, type UploadsService } from './service.js';

/** How often the sweep runs, and the delay of the first run after start. */
export const CLEANUP_INTERVAL_MS = 15 * 60_000;
const FIRST_RUN_MS = 60_000;
/** Files on disk without a row (a crash between file and row), and stale temp folders, wait this long. */
const STRAY_GRACE_MS = 60 * 60_000;
const BATCH = 200;

export interface CleanupDeps {
  db: Db;
  config: Pick<Config, 'uploadDir' | 'uploadUnattachedTtlSeconds'>;
  logger: Logger;
  uploads: UploadsService;
}

export interface CleanupReport {
  /** Chat uploads never attached to a message within the grace period. */
  unattached: number;
  /** Uploads whose message is gone (deleted, room cleared or deleted). */
  orphaned: number;
  /** Files in the upload folders without a row, and abandoned temp folders. */
  strayFiles: number;
}

/**
 * One sweep: removes (row, then file) chat uploads left unattached longer than
 * UPLOAD_UNATTACHED_TTL, uploads whose message no longer exists, files that have no row, and
 * leftover temp folders. Each row is deleted only if still collectable, so an attach racing the
 * sweep keeps its file. `now` is injectable so tests need no clock games.
 */
export async function runUploadCleanup(deps: CleanupDeps, now: number = Date.now()): Promise<CleanupReport> {
  const cutoff = new Date(now - deps.config.uploadUnattachedTtlSeconds * 1000).toISOString();
  const unattached = await sweepRows(deps, (seen) => repo.findStaleUnattached(deps.db, cutoff, BATCH + seen.size));
  const orphaned = await sweepRows(deps, (seen) => repo.findOrphanedAttachments(deps.db, BATCH + seen.size));
  const strayFiles = (await sweepStrayFiles(deps, now)) + (await sweepTemp(deps, now));
  if (unattached || orphaned || strayFiles) deps.logger.info({ unattached, orphaned, strayFiles }, 'upload cleanup');
  return { unattached, orphaned, strayFiles };
}

/** Deletes collectable rows batch by batch (rows that could not be deleted are skipped, not retried). */
async function sweepRows(deps: CleanupDeps, next: (seen: Set<string>) => Promise<UploadRow[]>): Promise<number> {
  const seen = new Set<string>();
  let removed = 0;
  for (;;) {
    const rows = (await next(seen)).filter((r) => !seen.has(r.id));
    if (rows.length === 0) return removed;
    for (const row of rows) {
      seen.add(row.id);
      if (await repo.deleteIfStillCollectable(deps.db, row)) {
        await deps.uploads.removeFile(row);
        removed++;
      }
    }
  }
}

async function listDir(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

async function olderThan(file: string, cutoffMs: number): Promise<boolean> {
  try {
    return (await stat(file)).mtimeMs < cutoffMs;
  } catch {
    return false;
  }
}

/** Files of our naming shape with no row, older than the stray grace (never anything else). */
async function sweepStrayFiles(deps: CleanupDeps, now: number): Promise<number> {
  let removed = 0;
  for (const folder of Object.keys(FOLDERS)) {
    const dir = path.join(deps.config.uploadDir, folder);
    const names = (await listDir(dir)).filter((n) => STORED_NAME.test(n));
    for (let i = 0; i < names.length; i += BATCH) {
      const slice = names.slice(i, i + BATCH);
      const known = await repo.existingFileNames(deps.db, slice);
      for (const name of slice) {
        if (known.has(name)) continue;
        const file = path.join(dir, name);
        if (!(await olderThan(file, now - STRAY_GRACE_MS))) continue;
        await rm(file, { force: true });
        removed++;
      }
    }
  }
  return removed;
}

/** Per-request temp folders left behind by a crash mid-upload. */
async function sweepTemp(deps: CleanupDeps, now: number): Promise<number> {
  let removed = 0;
  for (const name of await listDir(deps.uploads.tmpRoot)) {
    if (!name.startsWith('req-')) continue;
    const dir = path.join(deps.uploads.tmpRoot, name);
    if (!(await olderThan(dir, now - STRAY_GRACE_MS))) continue;
    await rm(dir, { recursive: true, force: true });
    removed++;
  }
  return removed;
}

/**
 * The periodic sweep: `start()` from a deps attacher (server start, never at import), `stop()`
 * from deps.stoppers. Timers are unref'd so they never hold the process open; a failed sweep is
 * logged and the next one tries again.
 */
export function uploadCleanupJob(deps: CleanupDeps): { start(): void; stop(): Promise<void> } {
  let first: NodeJS.Timeout | null = null;
  let every: NodeJS.Timeout | null = null;
  let running: Promise<unknown> | null = null;
  const run = () => {
    if (running) return;
    running = runUploadCleanup(deps)
      .catch((err) => deps.logger.error({ err }, 'upload cleanup failed'))
      .finally(() => {
        running = null;
      });
  };
  return {
    start() {
      if (every) return;
      first = setTimeout(run, FIRST_RUN_MS).unref();
      every = setInterval(run, CLEANUP_INTERVAL_MS).unref();
    },
    async stop() {
      if (first) clearTimeout(first);
      if (every) clearInterval(every);
      first = every = null;
      await running;
    },
  };
}
