import type { DbOrTx, InvitesTable, NostrInvitesTable } from '../../db/schema.js';

export type InviteRow = Omit<InvitesTable, 'uses'> & { uses: number };

export async function insertInvite(db: DbOrTx, row: InviteRow): Promise<void> {
  await db.insertInto('invites').values(row).execute();
}

export function findInvite(db: DbOrTx, token: string): Promise<InviteRow | undefined> {
  return db.selectFrom('invites').selectAll().where('token', '=', token).executeTakeFirst() as Promise<InviteRow | undefined>;
}

/** Active invites of a room: not revoked, not expired, not used up. */
export function listActiveInvites(db: DbOrTx, roomId: string, now: string): Promise<InviteRow[]> {
  return db
    .selectFrom('invites')
    .selectAll()
    .where('room_id', '=', roomId)
    .where('revoked_at', 'is', null)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
    .where((eb) => eb.or([eb('max_uses', 'is', null), eb('uses', '<', eb.ref('max_uses'))]))
    .orderBy('created_at', 'desc')
    .execute() as Promise<InviteRow[]>;
}

/**
 * Counts one use if the invite is still valid, in one statement, so concurrent accepts can never
 * exceed maxUses. Returns true when the use was counted.
 */
export async function consumeInviteUse(db: DbOrTx, token: string, now: string): Promise<boolean> {
  const res = await db
    .updateTable('invites')
    .set((eb) => ({ uses: eb('uses', '+', 1) }))
    .where('token', '=', token)
    .where('revoked_at', 'is', null)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
    .where((eb) => eb.or([eb('max_uses', 'is', null), eb('uses', '<', eb.ref('max_uses'))]))
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

export async function revokeInvite(db: DbOrTx, token: string, now: string): Promise<void> {
  await db.updateTable('invites').set({ revoked_at: now }).where('token', '=', token).execute();
}

export async function upsertNostrInvite(db: DbOrTx, row: NostrInvitesTable): Promise<void> {
  await db.insertInto('nostr_invites').values(row).onConflict((oc) => oc.columns(['room_id', 'pubkey']).doNothing()).execute();
}

export function findNostrInvitesForPubkey(db: DbOrTx, pubkey: string): Promise<NostrInvitesTable[]> {
  return db.selectFrom('nostr_invites').selectAll().where('pubkey', '=', pubkey).orderBy('created_at').execute();
}

export async function deleteNostrInvite(db: DbOrTx, roomId: string, pubkey: string): Promise<void> {
  await db.deleteFrom('nostr_invites').where('room_id', '=', roomId).where('pubkey', '=', pubkey).execute();
}
