import { describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createKysely, openSqlite } from './database.js';
import { GroupCommit } from './groupCommit.js';

function setup() {
  const sqlite = openSqlite(':memory:');
  sqlite.exec('CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER)');
  const db = createKysely(sqlite);
  return { sqlite, db, writes: new GroupCommit(db as any) };
}

describe('GroupCommit', () => {
  it('commits concurrent jobs in shared transactions; a failing job rolls back alone', async () => {
    const { sqlite, db, writes } = setup();
    const jobs = Array.from({ length: 50 }, (_, i) =>
      writes.run(async (trx) => {
        await sql`INSERT INTO t (k, v) VALUES (${`k${i}`}, ${i})`.execute(trx);
        if (i % 10 === 3) {
          await sql`INSERT INTO t (k, v) VALUES (${`extra${i}`}, 1)`.execute(trx);
          throw new Error(`job ${i} fails`);
        }
        return i;
      }),
    );
    const results = await Promise.allSettled(jobs);
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(5);
    expect((results[3] as PromiseRejectedResult).reason.message).toBe('job 3 fails');
    expect((results[4] as PromiseFulfilledResult<number>).value).toBe(4);
    const rows = sqlite.prepare('SELECT k FROM t ORDER BY v').all() as Array<{ k: string }>;
    expect(rows).toHaveLength(45);
    expect(rows.some((r) => r.k.startsWith('extra') || r.k === 'k3')).toBe(false);
    await db.destroy();
  });

  it('resolves a job only after its data is committed and visible outside the transaction', async () => {
    const { sqlite, db, writes } = setup();
    const seen = await writes.run(async (trx) => {
      await sql`INSERT INTO t (k, v) VALUES ('a', 1)`.execute(trx);
      return 'done';
    }).then((v) => ({ v, inTx: sqlite.inTransaction, rows: sqlite.prepare('SELECT count(*) AS n FROM t').get() }));
    expect(seen).toEqual({ v: 'done', inTx: false, rows: { n: 1 } });
    await db.destroy();
  });

  it('rejects the whole batch when the commit itself fails', async () => {
    const { sqlite, db, writes } = setup();
    sqlite.exec('CREATE TABLE p (id INTEGER PRIMARY KEY); CREATE TABLE c (pid INTEGER REFERENCES p(id) DEFERRABLE INITIALLY DEFERRED)');
    const bad = writes.run(async (trx) => {
      await sql`INSERT INTO c (pid) VALUES (42)`.execute(trx);
    });
    const good = writes.run(async (trx) => {
      await sql`INSERT INTO t (k, v) VALUES ('b', 2)`.execute(trx);
    });
    await expect(bad).rejects.toThrow(/FOREIGN KEY/);
    await expect(good).rejects.toThrow(/FOREIGN KEY/);
    expect(sqlite.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 0 });
    expect(sqlite.inTransaction).toBe(false);
    await db.destroy();
  });
});
