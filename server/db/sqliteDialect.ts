import type BetterSqlite3 from 'better-sqlite3';
import {
  CompiledQuery,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
} from 'kysely';

/**
 * Kysely dialect for better-sqlite3, replacing Kysely's stock SqliteDialect on two hot spots:
 * - the stock driver wakes every waiter on each release of the single connection (a `while
 *   (promise) await promise` loop), so N concurrent requests cost O(N²) wake-ups; this one hands
 *   the connection to the next waiter in FIFO order, O(1);
 * - the stock connection calls `db.prepare(sql)` for every query; this one keeps the prepared
 *   statements of the (few hundred distinct) queries the server issues in a bounded cache.
 * Transactions keep exclusive use of the connection exactly as before.
 */
export class BetterSqliteDialect implements Dialect {
  constructor(private readonly db: BetterSqlite3.Database, private readonly cacheSize = 500) {}

  createAdapter() {
    return new SqliteAdapter();
  }
  createDriver(): Driver {
    return new BetterSqliteDriver(this.db, this.cacheSize);
  }
  createQueryCompiler() {
    return new SqliteQueryCompiler();
  }
  createIntrospector(db: Kysely<any>) {
    return new SqliteIntrospector(db);
  }
}

class BetterSqliteDriver implements Driver {
  private readonly connection: CachedConnection;
  private locked = false;
  private readonly waiters: Array<() => void> = [];

  constructor(private readonly db: BetterSqlite3.Database, cacheSize: number) {
    this.connection = new CachedConnection(db, cacheSize);
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    if (this.locked) await new Promise<void>((resolve) => this.waiters.push(resolve));
    else this.locked = true;
    return this.connection;
  }

  async releaseConnection(): Promise<void> {
    const next = this.waiters.shift();
    if (next) next();
    else this.locked = false;
  }

  async beginTransaction(c: DatabaseConnection): Promise<void> {
    await c.executeQuery(CompiledQuery.raw('begin'));
  }
  async commitTransaction(c: DatabaseConnection): Promise<void> {
    await c.executeQuery(CompiledQuery.raw('commit'));
  }
  async rollbackTransaction(c: DatabaseConnection): Promise<void> {
    await c.executeQuery(CompiledQuery.raw('rollback'));
  }
  async destroy(): Promise<void> {
    this.connection.clear();
    if (this.db.open) this.db.close();
  }
}

class CachedConnection implements DatabaseConnection {
  private readonly statements = new Map<string, BetterSqlite3.Statement>();

  constructor(private readonly db: BetterSqlite3.Database, private readonly cacheSize: number) {}

  executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    const stmt = this.prepare(compiled.sql);
    const params = compiled.parameters as unknown[];
    if (stmt.reader) return Promise.resolve({ rows: stmt.all(params) as R[] });
    const { changes, lastInsertRowid } = stmt.run(params);
    return Promise.resolve({ numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] });
  }

  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming queries are not used by this server');
  }

  clear(): void {
    this.statements.clear();
  }

  private prepare(sql: string): BetterSqlite3.Statement {
    let stmt = this.statements.get(sql);
    if (stmt) return stmt;
    stmt = this.db.prepare(sql);
    // Transaction control and schema statements are not worth caching.
    if (/^\s*(select|insert|update|delete|with)\b/i.test(sql)) {
      if (this.statements.size >= this.cacheSize) this.statements.delete(this.statements.keys().next().value!);
      this.statements.set(sql, stmt);
    }
    return stmt;
  }
}
