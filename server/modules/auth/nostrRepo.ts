import type { Db } from '../../db/schema.js';

/** Result of trying to store a new challenge. */
export type IssueResult = { ok: true } | { ok: false; retryAfterSeconds: number };

/**
 * Stores a challenge unless `maxOutstanding` unconsumed, unexpired ones already exist. Expired rows
 * are purged first, in the same transaction, so the store stays bounded without FIFO eviction (which
 * would let an attacker flush other people's challenges).
 */
export async function insertChallengeBounded(
  db: Db,
  row: { challenge: string; createdAt: string; expiresAt: string },
  maxOutstanding: number,
): Promise<IssueResult> {
  return db.transaction().execute(async (tx) => {
    await tx.deleteFrom('nostr_challenges').where('expires_at', '<=', row.createdAt).execute();
    const { n } = await tx
      .selectFrom('nostr_challenges')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('consumed_at', 'is', null)
      .executeTakeFirstOrThrow();
    if (Number(n) >= maxOutstanding) {
      const oldest = await tx
        .selectFrom('nostr_challenges')
        .select('expires_at')
        .where('consumed_at', 'is', null)
        .orderBy('expires_at', 'asc')
        .limit(1)
        .executeTakeFirst();
      const wait = oldest ? (Date.parse(oldest.expires_at) - Date.parse(row.createdAt)) / 1000 : 1;
      return { ok: false, retryAfterSeconds: Math.max(1, wait) };
    }
    await tx
      .insertInto('nostr_challenges')
      .values({ challenge: row.challenge, created_at: row.createdAt, expires_at: row.expiresAt, consumed_at: null })
      .execute();
    return { ok: true };
  });
}

/**
 * Consumes a challenge in one statement: true only for the single caller that flipped an unconsumed,
 * unexpired row, so two parallel verifies of one event cannot both succeed.
 */
export async function consumeChallenge(db: Db, challenge: string, nowIso: string): Promise<boolean> {
  const res = await db
    .updateTable('nostr_challenges')
    .set({ consumed_at: nowIso })
    .where('challenge', '=', challenge)
    .where('consumed_at', 'is', null)
    .where('expires_at', '>', nowIso)
    .executeTakeFirst();
  return res.numUpdatedRows === 1n;
}
