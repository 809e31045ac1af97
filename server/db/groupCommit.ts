import { sql, type Kysely } from 'kysely';
import type { Database, DbOrTx } from './schema.js';

interface Job {
  fn: (trx: DbOrTx) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit for the hot write path. SQLite's commit (writing the WAL frames) costs far more
 * than the statements of a chat send, so write jobs that arrive while a batch is running share
 * the next transaction: each job runs inside its own SAVEPOINT (a failing job rolls back alone and
 * rejects), the batch commits once, and only then does any job resolve — callers still publish
 * their events strictly after their data is durable. Under no load a batch holds one job and the
 * cost is one extra event-loop turn.
 */
export class GroupCommit {
  private queue: Job[] = [];
  private running = false;

  constructor(private readonly db: Kysely<Database>, private readonly maxBatch = 200) {}

  /** Runs fn in a (shared) transaction; resolves with its result after the commit. */
  run<T>(fn: (trx: DbOrTx) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, resolve: resolve as (v: unknown) => void, reject });
      if (!this.running) {
        this.running = true;
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      await this.runBatch(batch);
    }
    this.running = false;
  }

  private async runBatch(batch: Job[]): Promise<void> {
    const outcomes: Array<{ ok: true; value: unknown } | { ok: false; err: unknown }> = [];
    let trx;
    try {
      trx = await this.db.startTransaction().execute();
      if (batch.length === 1) {
        // Alone in its batch: no savepoint needed, a failure rolls the whole transaction back.
        try {
          const value = await batch[0].fn(trx);
          await trx.commit().execute();
          batch[0].resolve(value);
        } catch (err) {
          if (!trx.isCommitted) await trx.rollback().execute().catch(() => {});
          batch[0].reject(err);
        }
        return;
      }
      for (const job of batch) {
        await sql`SAVEPOINT job`.execute(trx);
        try {
          const value = await job.fn(trx);
          await sql`RELEASE job`.execute(trx);
          outcomes.push({ ok: true, value });
        } catch (err) {
          await sql`ROLLBACK TO job`.execute(trx);
          await sql`RELEASE job`.execute(trx);
          outcomes.push({ ok: false, err });
        }
      }
      await trx.commit().execute();
    } catch (err) {
      // The transaction itself failed (e.g. disk full at commit): nothing of the batch is stored.
      if (trx && !trx.isCommitted && !trx.isRolledBack) await trx.rollback().execute().catch(() => {});
      for (const job of batch) job.reject(err);
      return;
    }
    batch.forEach((job, i) => {
      const o = outcomes[i];
      if (o.ok) job.resolve(o.value);
      else job.reject(o.err);
    });
  }
}
