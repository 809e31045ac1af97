import { sql, type Insertable, type Updateable } from 'kysely';
import type { DbOrTx, RoomMembersTable, RoomsTable } from '../../db/schema.js';
import type { Role } from './presenter.js';

export type RoomRow = Omit<RoomsTable, 'last_seq' | 'web_search'> & { last_seq: number; web_search: number };
export type RoomWithCount = RoomRow & { member_count: number };

/** Finds a room by id. */
export function findRoom(db: DbOrTx, id: string): Promise<RoomRow | undefined> {
  return db.selectFrom('rooms').selectAll().where('id', '=', id).executeTakeFirst() as Promise<RoomRow | undefined>;
}

export async function insertRoom(db: DbOrTx, row: Insertable<RoomsTable>): Promise<void> {
  await db.insertInto('rooms').values(row).execute();
}

export async function updateRoom(db: DbOrTx, id: string, patch: Updateable<RoomsTable>): Promise<void> {
  await db.updateTable('rooms').set(patch).where('id', '=', id).execute();
}

export async function deleteRoom(db: DbOrTx, id: string): Promise<void> {
  await db.deleteFrom('rooms').where('id', '=', id).execute();
}

/**
 * Takes the room's next change number (and bumps its activity time) in one statement; callers run
 * it inside the transaction that makes the change, so seq order is commit order.
 */
export async function takeNextSeq(db: DbOrTx, roomId: string, now: string, activity: boolean): Promise<number> {
  const row = await db
    .updateTable('rooms')
    .set((eb) => ({ last_seq: eb('last_seq', '+', 1), ...(activity ? { last_activity_at: now } : {}) }))
    .where('id', '=', roomId)
    .returning('last_seq')
    .executeTakeFirstOrThrow();
  return row.last_seq;
}

/** The caller's rooms, most recent activity first, with member counts and the caller's role. */
export function listRoomsOfUser(db: DbOrTx, userId: string): Promise<Array<RoomWithCount & { my_role: Role }>> {
  return db
    .selectFrom('room_members as m')
    .innerJoin('rooms as r', 'r.id', 'm.room_id')
    .selectAll('r')
    .select('m.role as my_role')
    .select((eb) => eb.selectFrom('room_members as c').whereRef('c.room_id', '=', 'r.id').select(eb.fn.countAll<number>().as('n')).as('member_count'))
    .where('m.user_id', '=', userId)
    .orderBy('r.last_activity_at', 'desc')
    .orderBy('r.id')
    .execute() as Promise<Array<RoomWithCount & { my_role: Role }>>;
}

/** Public rooms, busiest-recent first (discovery for joining). */
export function listPublicRooms(db: DbOrTx, limit: number): Promise<RoomWithCount[]> {
  return db
    .selectFrom('rooms as r')
    .selectAll('r')
    .select((eb) => eb.selectFrom('room_members as c').whereRef('c.room_id', '=', 'r.id').select(eb.fn.countAll<number>().as('n')).as('member_count'))
    .where('r.visibility', '=', 'public')
    .orderBy('r.last_activity_at', 'desc')
    .limit(limit)
    .execute() as Promise<RoomWithCount[]>;
}

export async function countMembers(db: DbOrTx, roomId: string): Promise<number> {
  const row = await db.selectFrom('room_members').select((eb) => eb.fn.countAll<number>().as('n')).where('room_id', '=', roomId).executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** The room together with the user's role in it, in one query; undefined for non-members. */
export function findRoomForMember(db: DbOrTx, roomId: string, userId: string): Promise<(RoomRow & { my_role: Role }) | undefined> {
  return db
    .selectFrom('room_members as m')
    .innerJoin('rooms as r', 'r.id', 'm.room_id')
    .selectAll('r')
    .select('m.role as my_role')
    .where('m.room_id', '=', roomId)
    .where('m.user_id', '=', userId)
    .executeTakeFirst() as Promise<(RoomRow & { my_role: Role }) | undefined>;
}

export async function findRole(db: DbOrTx, roomId: string, userId: string): Promise<Role | null> {
  const row = await db.selectFrom('room_members').select('role').where('room_id', '=', roomId).where('user_id', '=', userId).executeTakeFirst();
  return row?.role ?? null;
}

export function findMember(db: DbOrTx, roomId: string, userId: string): Promise<RoomMembersTable | undefined> {
  return db.selectFrom('room_members').selectAll().where('room_id', '=', roomId).where('user_id', '=', userId).executeTakeFirst();
}

export function listMembers(db: DbOrTx, roomId: string): Promise<RoomMembersTable[]> {
  return db.selectFrom('room_members').selectAll().where('room_id', '=', roomId).orderBy('joined_at').orderBy('user_id').execute();
}

export async function listMemberIds(db: DbOrTx, roomId: string): Promise<string[]> {
  const rows = await db.selectFrom('room_members').select('user_id').where('room_id', '=', roomId).execute();
  return rows.map((r) => r.user_id);
}

/** The user's memberships: room id and role. */
export function listMembershipsOfUser(db: DbOrTx, userId: string): Promise<Array<{ room_id: string; role: Role }>> {
  return db.selectFrom('room_members').select(['room_id', 'role']).where('user_id', '=', userId).execute();
}

/** Inserts a membership unless it exists; returns true when a row was added. */
export async function insertMember(db: DbOrTx, row: RoomMembersTable): Promise<boolean> {
  const res = await db.insertInto('room_members').values(row).onConflict((oc) => oc.doNothing()).executeTakeFirst();
  return Number(res.numInsertedOrUpdatedRows ?? 0) > 0;
}

export async function deleteMember(db: DbOrTx, roomId: string, userId: string): Promise<boolean> {
  const res = await db.deleteFrom('room_members').where('room_id', '=', roomId).where('user_id', '=', userId).executeTakeFirst();
  return Number(res.numDeletedRows) > 0;
}

export async function setMemberRole(db: DbOrTx, roomId: string, userId: string, role: Role): Promise<void> {
  await db.updateTable('room_members').set({ role }).where('room_id', '=', roomId).where('user_id', '=', userId).execute();
}

/** Appends a change to the room's log. */
export async function insertRoomEvent(db: DbOrTx, row: { room_id: string; seq: number; type: string; frame: string; created_at: string }): Promise<void> {
  await db.insertInto('room_events').values(row).execute();
}

/** Drops log entries older than the newest `keep` changes of a room. */
export async function pruneRoomEvents(db: DbOrTx, roomId: string, belowSeq: number): Promise<void> {
  await db.deleteFrom('room_events').where('room_id', '=', roomId).where('seq', '<', belowSeq).execute();
}

/** Log entries after `afterSeq`, in order, at most `limit`. */
export function roomEventsAfter(db: DbOrTx, roomId: string, afterSeq: number, limit: number): Promise<Array<{ seq: number; frame: string }>> {
  return db.selectFrom('room_events').select(['seq', 'frame']).where('room_id', '=', roomId).where('seq', '>', afterSeq).orderBy('seq').limit(limit).execute();
}

/** The oldest change still in the room's log, or null when the log is empty. */
export async function oldestRoomEventSeq(db: DbOrTx, roomId: string): Promise<number | null> {
  const row = await db.selectFrom('room_events').select(sql<number>`min(seq)`.as('s')).where('room_id', '=', roomId).executeTakeFirst();
  return row?.s ?? null;
}
