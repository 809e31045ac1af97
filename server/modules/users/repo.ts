import type { Insertable, Updateable } from 'kysely';
import type { DbOrTx, UsersTable } from '../../db/schema.js';

export type UserRow = UsersTable;

/** Finds a user by id. */
export function findUserById(db: DbOrTx, id: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Finds a user by username, case-insensitively. */
export function findUserByUsername(db: DbOrTx, username: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('username_lower', '=', username.toLowerCase()).executeTakeFirst();
}

/** Finds the user holding a Nostr pubkey (64 lowercase hex). */
export function findUserByPubkey(db: DbOrTx, pubkey: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('nostr_pubkey', '=', pubkey).executeTakeFirst();
}

/** Loads several users at once (presenting members and authors). */
export function findUsersByIds(db: DbOrTx, ids: string[]): Promise<UserRow[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return db.selectFrom('users').selectAll().where('id', 'in', ids).execute();
}

/** Inserts a user; a duplicate username or pubkey surfaces as a SQLite UNIQUE error. */
export async function insertUser(db: DbOrTx, row: Insertable<UsersTable>): Promise<UserRow> {
  await db.insertInto('users').values(row).execute();
  return (await findUserById(db, row.id))!;
}

/** Updates a user's columns and returns the row as stored. */
export async function updateUser(db: DbOrTx, id: string, patch: Updateable<UsersTable>): Promise<UserRow> {
  await db.updateTable('users').set(patch).where('id', '=', id).execute();
  return (await findUserById(db, id))!;
}

/**
 * Links a Nostr pubkey to a user that has none yet, in one statement; false when the user already
 * holds a key. A pubkey held by another user surfaces as a SQLite UNIQUE error on nostr_pubkey.
 */
export async function setPubkeyIfUnset(db: DbOrTx, id: string, pubkey: string, updatedAt: string): Promise<boolean> {
  const res = await db
    .updateTable('users')
    .set({ nostr_pubkey: pubkey, updated_at: updatedAt })
    .where('id', '=', id)
    .where('nostr_pubkey', 'is', null)
    .executeTakeFirst();
  return res.numUpdatedRows === 1n;
}
