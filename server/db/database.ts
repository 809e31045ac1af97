import { mkdirSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely } from 'kysely';
import { BetterSqliteDialect } from './sqliteDialect.js';
import type { Database } from './schema.js';

export type Sqlite = BetterSqlite3.Database;

/** Opens the SQLite file with the pragmas the whole server relies on (WAL, NORMAL sync, FKs). */
export function openSqlite(file: string): Sqlite {
  if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new BetterSqlite3(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  return sqlite;
}

/** Wraps an open connection in Kysely; one connection, queries serialised FIFO, statements cached. */
export function createKysely(sqlite: Sqlite): Kysely<Database> {
  return new Kysely<Database>({ dialect: new BetterSqliteDialect(sqlite) });
}
