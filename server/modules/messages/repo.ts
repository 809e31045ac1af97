import type { DbOrTx, MessagesTable } from '../../db/schema.js';

export type MessageRow = MessagesTable;

export async function insertMessage(db: DbOrTx, row: MessagesTable): Promise<void> {
  await db.insertInto('messages').values(row).execute();
}

export function findMessageById(db: DbOrTx, id: string): Promise<MessageRow | undefined> {
  return db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirst();
}

export function findMessageByHash(db: DbOrTx, hash: string): Promise<MessageRow | undefined> {
  return db.selectFrom('messages').selectAll().where('hash', '=', hash).executeTakeFirst();
}

/** The author's earlier message with this clientId (idempotent sends). */
export function findByClientId(db: DbOrTx, authorId: string, clientId: string): Promise<MessageRow | undefined> {
  return db.selectFrom('messages').selectAll().where('author_id', '=', authorId).where('client_id', '=', clientId).executeTakeFirst();
}

/** Whether a message with this id exists in this room (replyTo check). */
export async function existsInRoom(db: DbOrTx, roomId: string, id: string): Promise<boolean> {
  const row = await db.selectFrom('messages').select('id').where('id', '=', id).where('room_id', '=', roomId).executeTakeFirst();
  return !!row;
}

/**
 * One keyset page on (room_id, seq): `before` walks back, `after` forward, neither = newest.
 * Fetches limit + 1 to know whether more exist; never skips rows by count. Returns rows in ascending seq.
 */
export async function pageMessages(db: DbOrTx, roomId: string, q: { before?: number; after?: number; limit: number }): Promise<{ rows: MessageRow[]; hasMore: boolean }> {
  let query = db.selectFrom('messages').selectAll().where('room_id', '=', roomId);
  if (q.after !== undefined) {
    const rows = await query.where('seq', '>', q.after).orderBy('seq', 'asc').limit(q.limit + 1).execute();
    return { rows: rows.slice(0, q.limit), hasMore: rows.length > q.limit };
  }
  if (q.before !== undefined) query = query.where('seq', '<', q.before);
  const rows = await query.orderBy('seq', 'desc').limit(q.limit + 1).execute();
  return { rows: rows.slice(0, q.limit).reverse(), hasMore: rows.length > q.limit };
}

export async function updateMessageContent(db: DbOrTx, id: string, content: string, editedAt: string): Promise<void> {
  await db.updateTable('messages').set({ content, edited_at: editedAt }).where('id', '=', id).execute();
}

export async function deleteMessage(db: DbOrTx, id: string): Promise<void> {
  await db.deleteFrom('messages').where('id', '=', id).execute();
}

export async function deleteRoomMessages(db: DbOrTx, roomId: string): Promise<void> {
  await db.deleteFrom('messages').where('room_id', '=', roomId).execute();
}
